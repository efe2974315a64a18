package budgets

import "testing"

// TestErrorTable checks that every exception the error table can give an
// operation is one that operation's model lists.
func TestErrorTable(t *testing.T) {
	for _, p := range errorTable.Check(ServiceDef(Unimplemented{})) {
		t.Error(p)
	}
}
