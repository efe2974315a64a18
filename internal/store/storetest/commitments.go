package storetest

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// commitmentSumNames name the sums in expected commitment rows.
var commitmentSumNames = [store.NumCommitmentSums]string{
	"usage", "normalized", "unblended", "ondemand", "purchasedhours", "purchasedunits", "recurringfee",
	"upfrontfee", "ricost", "unusedhours", "unusedunits", "unusedupfront", "unusedrecurring",
	"spcost", "sptotal", "spused", "sprecurring", "spupfront",
}

// commitments runs a block
//
//	commitments DAILY|MONTHLY START END
//	kinds RI SP          # commitment lines to return
//	eligible 3           # billing.Eligible bits of on-demand usage to return
//	group SERVICE        # dimensions
//	filter {...}
//	scope ACCOUNT
//	expect
//	2024-01-01 DiscountedUsage arn:ri elig=0 KEYS | usage=2 ricost=1.5
//
// Expected rows list the bucket, line item type, commitment ARN (- for
// on-demand usage), eligibility bits and group keys, then the non-zero sums.
func commitments(ctx context.Context, t *testing.T, st store.CostStore, b block) error {
	cs, ok := st.(store.CommitmentStore)
	if !ok {
		return fmt.Errorf("the store is no store.CommitmentStore")
	}
	head := strings.Fields(b.lines[0])
	if len(head) != 4 {
		return fmt.Errorf("want: commitments DAILY|MONTHLY START END")
	}
	q := &store.CommitmentQuery{Monthly: head[1] == "MONTHLY"}
	var err error
	if q.Period.Start, err = parseTime(head[2]); err != nil {
		return err
	}
	if q.Period.End, err = parseTime(head[3]); err != nil {
		return err
	}
	var expect []string
	for i, line := range b.lines[1:] {
		word, rest, _ := strings.Cut(line, " ")
		switch word {
		case "kinds":
			q.Kinds = strings.Fields(rest)
		case "eligible":
			n, err := strconv.Atoi(rest)
			if err != nil {
				return err
			}
			q.Eligible = uint8(n)
		case "group":
			for _, d := range strings.Fields(rest) {
				q.GroupBy = append(q.GroupBy, billing.Dimension(d))
			}
		case "filter":
			if q.Filter, err = parseFilter(rest); err != nil {
				return err
			}
		case "scope":
			q.Scope.Account = rest
		case "expect":
			expect = b.lines[i+2:]
		default:
			return fmt.Errorf("unknown line %q", line)
		}
		if word == "expect" {
			break
		}
	}
	ans, err := cs.Commitments(ctx, q)
	if err != nil {
		return err
	}
	var got []string
	for _, r := range ans.Rows {
		arn := "-"
		if r.Commitment >= 0 {
			arn = ans.Commitments[r.Commitment].ARN
		}
		parts := append([]string{r.Bucket.Format("2006-01-02"), r.LineItemType, arn, fmt.Sprintf("elig=%d", r.Eligible)}, r.Keys...)
		line := strings.Join(parts, " ") + " |"
		for i, v := range r.Sums {
			if v.Sign() != 0 {
				line += " " + commitmentSumNames[i] + "=" + decimal(v)
			}
		}
		got = append(got, line)
	}
	check(t, b, expect, got)
	return nil
}

// decimal formats an integer of 10^-billing.Scale units.
func decimal(v *big.Int) string {
	r := new(big.Rat).SetFrac(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(billing.Scale), nil))
	s := r.FloatString(billing.Scale)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
