package duckdb

// budgetSchema holds the tables of AWS Budgets objects.
func budgetSchema() []string { return nil }
