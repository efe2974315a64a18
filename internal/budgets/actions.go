package budgets

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/store"
)

// Budget actions live in their budget's document, like its notifications,
// and their histories in the store beside it (store.ActionEvent): an
// action's status, the events that led to it and the alerts it sends are
// stored in the transaction that stores the budget's evaluation
// (PutBudgetEvents). A crossed threshold begins an AUTOMATIC action's
// execution in that transaction; its AWS calls and their outcome follow
// (run.go), so it executes once per budget period even across a crash.
//
// Without an Executor actions run in dry run: an execution records what it
// would have done, marked as a dry run in the history, and changes nothing
// in AWS.

// MaxActionsPerBudget is the most actions a budget can have, Tally's limit
// (CreationLimitExceededException beyond it).
const MaxActionsPerBudget = 10

// action is a budget action with its state and history.
type action struct {
	ID               string           `json:"id"`
	NotificationType NotificationType `json:"notificationType"`
	Type             ActionType       `json:"type"`
	Threshold        float64          `json:"threshold"`
	ThresholdType    ThresholdType    `json:"thresholdType"`
	Definition       Definition       `json:"definition"`
	RoleARN          string           `json:"roleArn"`
	Approval         ApprovalModel    `json:"approval"`
	Status           ActionStatus     `json:"status"`
	Subscribers      []subscriber     `json:"subscribers"`
	Tags             []tag            `json:"tags,omitempty"`
	// Period is the start of the budget period the status belongs to: at
	// the start of a new period the action is reset to STANDBY.
	Period time.Time `json:"period,omitzero"`
	// Events counts the events of the action's life: the Seq of its last
	// one. It makes the IDs of its alert messages unique.
	Events int `json:"events"`
	// Applied are the steps of executions that took effect in AWS and
	// were not undone since: what a reversal or reset undoes.
	Applied []Step `json:"applied,omitempty"`
	// Run is the execution, reversal or reset in progress (see run.go).
	Run *run `json:"run,omitempty"`
	// pending are the events not stored yet.
	pending []actionEvent
}

// actionEvent is one event of an action's history, with the action as it
// was after the event.
type actionEvent struct {
	Seq     int          `json:"seq"`
	At      time.Time    `json:"at"`
	Status  ActionStatus `json:"status"`
	Type    EventType    `json:"type"`
	Message string       `json:"message"`
	Action  Action       `json:"action"`
}

// wire renders the action.
func (a *action) wire(budget string) Action {
	subs := make([]Subscriber, 0, len(a.Subscribers))
	for _, s := range a.Subscribers {
		subs = append(subs, s.wire())
	}
	def := a.Definition
	return Action{ActionId: ptr(a.ID), BudgetName: ptr(budget), NotificationType: ptr(a.NotificationType),
		ActionType: ptr(a.Type), ActionThreshold: &ActionThreshold{ActionThresholdValue: ptr(a.Threshold),
			ActionThresholdType: ptr(a.ThresholdType)}, Definition: &def, ExecutionRoleArn: ptr(a.RoleARN),
		ApprovalModel: ptr(a.Approval), Status: ptr(a.Status), Subscribers: subs}
}

// record moves the action to status and adds the event to its history.
func (a *action) record(budget string, now time.Time, status ActionStatus, typ EventType, msg string) {
	a.Status = status
	a.Events++
	a.pending = append(a.pending, actionEvent{Seq: a.Events, At: now, Status: status, Type: typ, Message: msg, Action: a.wire(budget)})
}

// storeEvent encodes an event for the store.
func (a *action) storeEvent(e actionEvent) store.ActionEvent {
	doc, err := json.Marshal(e)
	if err != nil {
		panic(fmt.Sprintf("budgets: encode action event: %v", err)) // only plain data: cannot fail
	}
	return store.ActionEvent{Action: a.ID, Seq: e.Seq, At: e.At, Doc: doc}
}

// events takes the events of r's actions that are not stored yet,
// deleted actions' included.
func (r *record) events() []store.ActionEvent {
	var out []store.ActionEvent
	for _, a := range append(r.Actions, r.deleted...) {
		for _, e := range a.pending {
			out = append(out, a.storeEvent(e))
		}
		a.pending = nil
	}
	r.deleted = nil
	return out
}

// inProgress reports whether the action is being executed, reversed or
// reset: it cannot change meanwhile (ResourceLockedException).
func (a *action) inProgress() bool {
	switch a.Status {
	case ActionStatusExecutionInProgress, ActionStatusReverseInProgress, ActionStatusResetInProgress:
		return true
	}
	return false
}

// check compares the action's threshold with the budget's spend: an action
// triggers when the actual or forecasted spend exceeds it.
func (a *action) check(r *record) check {
	n := notification{Type: a.NotificationType, Operator: ComparisonOperatorGreaterThan, Threshold: a.Threshold,
		ThresholdType: a.ThresholdType}
	return n.check(r)
}

// newActionID returns a random (version 4) UUID.
func newActionID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

var roleAccount = regexp.MustCompile(`^arn:[a-z-]+:iam::(\d{12}):role/`)

// defineAction checks an action's definition against its type and account
// and fills a; the model's own constraints were checked before.
func defineAction(a *action, account string) error {
	d := a.Definition
	var set []string
	if d.IamActionDefinition != nil {
		set = append(set, string(ActionTypeApplyIamPolicy))
	}
	if d.ScpActionDefinition != nil {
		set = append(set, string(ActionTypeApplyScpPolicy))
	}
	if d.SsmActionDefinition != nil {
		set = append(set, string(ActionTypeRunSsmDocuments))
	}
	if len(set) != 1 || set[0] != string(a.Type) {
		return invalidf("an action of type %s needs exactly its own definition (%s), not %s", a.Type,
			definitionOf[a.Type], strings.Join(set, ", "))
	}
	if iam := d.IamActionDefinition; iam != nil && len(iam.Roles)+len(iam.Groups)+len(iam.Users) == 0 {
		return invalidf("an APPLY_IAM_POLICY action needs at least one role, group or user")
	}
	if m := roleAccount.FindStringSubmatch(a.RoleARN); m == nil || m[1] != account {
		return invalidf("the execution role %s must be a role of account %s: roles and actions must be in the same account", a.RoleARN, account)
	}
	return nil
}

var definitionOf = map[ActionType]string{ActionTypeApplyIamPolicy: "IamActionDefinition",
	ActionTypeApplyScpPolicy: "ScpActionDefinition", ActionTypeRunSsmDocuments: "SsmActionDefinition"}

// dryRun describes what a run would do in AWS, and says that nothing was
// done.
func (a *action) dryRun(ru *run) string {
	var what string
	d := a.Definition
	switch {
	case ru.Kind != runExecute:
		if len(ru.Steps) == 0 {
			return "DRY RUN: nothing to undo in AWS"
		}
		calls := make([]string, len(ru.Steps))
		for i, st := range ru.Steps {
			calls[i] = st.describe()
		}
		what = strings.Join(calls, "; ")
	case d.IamActionDefinition != nil:
		var targets []string
		for _, l := range []struct {
			kind  string
			names []string
		}{{"roles", d.IamActionDefinition.Roles}, {"groups", d.IamActionDefinition.Groups}, {"users", d.IamActionDefinition.Users}} {
			if len(l.names) > 0 {
				targets = append(targets, l.kind+" "+strings.Join(l.names, ", "))
			}
		}
		what = fmt.Sprintf("attach IAM policy %s to %s", deref(d.IamActionDefinition.PolicyArn), strings.Join(targets, "; "))
	case d.ScpActionDefinition != nil:
		what = fmt.Sprintf("attach service control policy %s to targets %s", deref(d.ScpActionDefinition.PolicyId),
			strings.Join(d.ScpActionDefinition.TargetIds, ", "))
	case d.SsmActionDefinition != nil:
		verb := map[ActionSubType]string{ActionSubTypeStopEc2Instances: "stop EC2 instances", ActionSubTypeStopRdsInstances: "stop RDS instances"}[deref(d.SsmActionDefinition.ActionSubType)]
		what = fmt.Sprintf("%s %s in %s", verb, strings.Join(d.SsmActionDefinition.InstanceIds, ", "), deref(d.SsmActionDefinition.Region))
	}
	return fmt.Sprintf("DRY RUN: Tally has no actions endpoint configured, so it changed nothing in AWS; it would %s, as role %s", what, a.RoleARN)
}

// execute begins an execution of the action.
func (a *action) execute(budget string, now time.Time, typ EventType, why string) {
	a.begin(budget, now, runExecute, typ, why, a.steps())
}

// reverse begins a reversal: what the executions did is undone.
func (a *action) reverse(budget string, now time.Time, why string) {
	a.begin(budget, now, runReverse, EventTypeExecuteAction, why, a.undoSteps())
}

// reset begins a reset to STANDBY. The IAM policies and SCPs an execution
// attached are detached; instances an SSM action stopped stay stopped
// (only a reversal starts them again).
func (a *action) reset(budget string, now time.Time, typ EventType, why string) {
	var steps []Step
	if a.Type != ActionTypeRunSsmDocuments {
		steps = a.undoSteps()
	} else {
		a.Applied = nil
	}
	a.begin(budget, now, runReset, typ, why, steps)
}

// actionTransitions resets r's actions at the start of a new budget
// period and triggers those whose threshold the spend exceeds: an
// AUTOMATIC action begins its execution, a MANUAL one waits for approval
// (PENDING, alerting its subscribers and the webhooks). An action triggers
// from STANDBY only, so once per period unless reset. As in AWS, IAM and
// SCP actions are reset at the start of each budget period (their
// policies detached), and actions that stopped EC2 or RDS instances are
// not.
func actionTransitions(r *record, now time.Time, hooks []string) []store.Message {
	if r.Spend == nil {
		return nil
	}
	var msgs []store.Message
	period := r.Spend.Period.Start
	for _, a := range r.Actions {
		if !a.Period.Equal(period) && !a.inProgress() {
			keep := a.Type == ActionTypeRunSsmDocuments && a.Status != ActionStatusPending
			if a.Status != ActionStatusStandby && !keep {
				a.reset(r.Name, now, EventTypeSystem, fmt.Sprintf("reset to STANDBY at the start of the budget period from %s",
					period.Format("2006-01-02")))
			}
			a.Period = period
		}
		if a.Status != ActionStatusStandby {
			continue
		}
		c := a.check(r)
		if !c.breached {
			continue
		}
		why := fmt.Sprintf("the %s spend %s %s exceeds the action threshold %s %s", a.NotificationType,
			roundRat(c.value, 2), r.Spend.Unit, roundRat(c.threshold, 2), r.Spend.Unit)
		if a.Approval == ApprovalModelManual {
			a.record(r.Name, now, ActionStatusPending, EventTypeSystem, why+"; awaiting approval")
			subject := fmt.Sprintf("AWS Budgets: the budget action of %s awaits your approval", r.Name)
			msgs = append(msgs, actionAlerts(r, a, subject, why, now, hooks)...)
			continue
		}
		a.execute(r.Name, now, EventTypeSystem, why)
	}
	return msgs
}

// actionAlerts returns the messages telling an action's subscribers about
// its last event.
func actionAlerts(r *record, a *action, subject, why string, now time.Time, hooks []string) []store.Message {
	last := a.pending[len(a.pending)-1]
	body := fmt.Sprintf("AWS Budget Action %s\nAWS Account %s\n\nBudget Name: %s\nAction: %s (%s, %s approval)\nStatus: %s\nReason: %s\n%s\n",
		now.Format("January 2, 2006"), r.Account, r.Name, a.ID, a.Type, a.Approval, a.Status, why, last.Message)
	var out []store.Message
	for _, sub := range withHooks(a.Subscribers, hooks) {
		kind := store.MessageKind(sub.Type)
		id := notify.MessageID(r.Account, r.Name, "action", a.ID, strconv.Itoa(a.Events), string(sub.Type), sub.Address)
		out = append(out, store.Message{ID: id, Kind: kind, Address: sub.Address, Subject: subject, Body: body,
			Ref: r.Account + "/" + r.Name, Created: now})
	}
	return out
}

// findAction returns the action of r with the given ID.
func (r *record) findAction(id string) (int, *action, error) {
	for i, a := range r.Actions {
		if a.ID == id {
			return i, a, nil
		}
	}
	return -1, nil, fail(errNotFound, fmt.Sprintf("the budget %s has no action %s", r.Name, id))
}

func actionSubscribers(in []Subscriber) ([]subscriber, error) {
	out := make([]subscriber, 0, len(in))
	for i := range in {
		s, err := defineSubscriber(&in[i])
		if err != nil {
			return nil, err
		}
		if slices.Contains(out, s) {
			return nil, invalidf("the action lists the subscriber %s twice", s.Address)
		}
		out = append(out, s)
	}
	return out, nil
}

// CreateBudgetAction implements the AWS Budgets operation
// CreateBudgetAction: a new action in STANDBY, evaluated at once, so an
// action whose threshold is already exceeded triggers.
func (s *Service) CreateBudgetAction(ctx context.Context, in *CreateBudgetActionRequest) (*CreateBudgetActionResponse, error) {
	account := deref(in.AccountId)
	a := &action{ID: newActionID(), NotificationType: deref(in.NotificationType), Type: deref(in.ActionType),
		Threshold: deref(in.ActionThreshold.ActionThresholdValue), ThresholdType: deref(in.ActionThreshold.ActionThresholdType),
		Definition: deref(in.Definition), RoleARN: deref(in.ExecutionRoleArn), Approval: deref(in.ApprovalModel),
		Status: ActionStatusStandby}
	if err := defineAction(a, account); err != nil {
		return nil, err
	}
	var err error
	if a.Subscribers, err = actionSubscribers(in.Subscribers); err != nil {
		return nil, err
	}
	if a.Tags, err = defineTags(nil, in.ResourceTags); err != nil {
		return nil, err
	}
	err = s.change(ctx, account, deref(in.BudgetName), func(r *record) error {
		if !r.tracksSpend() {
			return invalidf("the budget %s is a %s budget: actions act on COST and USAGE budgets", r.Name, r.Type)
		}
		if len(r.Actions) >= MaxActionsPerBudget {
			return fail(errTooMany, fmt.Sprintf("the budget %s has %d actions, the most a budget can have", r.Name, MaxActionsPerBudget))
		}
		a.record(r.Name, s.now(), ActionStatusStandby, EventTypeCreateAction, "action created")
		r.Actions = append(r.Actions, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CreateBudgetActionResponse{AccountId: ptr(account), BudgetName: in.BudgetName, ActionId: ptr(a.ID)}, nil
}

// UpdateBudgetAction implements the AWS Budgets operation
// UpdateBudgetAction: the members given change, the status stays.
func (s *Service) UpdateBudgetAction(ctx context.Context, in *UpdateBudgetActionRequest) (*UpdateBudgetActionResponse, error) {
	account := deref(in.AccountId)
	out := &UpdateBudgetActionResponse{AccountId: ptr(account), BudgetName: in.BudgetName}
	err := s.change(ctx, account, deref(in.BudgetName), func(r *record) error {
		_, a, err := r.findAction(deref(in.ActionId))
		if err != nil {
			return err
		}
		if a.inProgress() {
			return locked(a)
		}
		old := a.wire(r.Name)
		n := *a
		if in.NotificationType != nil {
			n.NotificationType = *in.NotificationType
		}
		if t := in.ActionThreshold; t != nil {
			n.Threshold, n.ThresholdType = deref(t.ActionThresholdValue), deref(t.ActionThresholdType)
		}
		if in.Definition != nil {
			n.Definition = *in.Definition
		}
		if in.ExecutionRoleArn != nil {
			n.RoleARN = *in.ExecutionRoleArn
		}
		if in.ApprovalModel != nil {
			n.Approval = *in.ApprovalModel
		}
		if in.Subscribers != nil {
			if n.Subscribers, err = actionSubscribers(in.Subscribers); err != nil {
				return err
			}
		}
		if err := defineAction(&n, account); err != nil {
			return err
		}
		*a = n
		a.record(r.Name, s.now(), a.Status, EventTypeUpdateAction, "action updated")
		out.OldAction, out.NewAction = &old, ptr(a.wire(r.Name))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteBudgetAction implements the AWS Budgets operation
// DeleteBudgetAction, with the action's history. What an execution did
// stays done.
func (s *Service) DeleteBudgetAction(ctx context.Context, in *DeleteBudgetActionRequest) (*DeleteBudgetActionResponse, error) {
	account := deref(in.AccountId)
	out := &DeleteBudgetActionResponse{AccountId: ptr(account), BudgetName: in.BudgetName}
	err := s.change(ctx, account, deref(in.BudgetName), func(r *record) error {
		i, a, err := r.findAction(deref(in.ActionId))
		if err != nil {
			return err
		}
		if a.inProgress() {
			return locked(a)
		}
		out.Action = ptr(a.wire(r.Name))
		a.record(r.Name, s.now(), a.Status, EventTypeDeleteAction, "action deleted")
		r.Actions = slices.Delete(r.Actions, i, i+1)
		r.deleted = append(r.deleted, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func locked(a *action) error {
	return fail(errLocked, fmt.Sprintf("the action %s is %s: wait until it ends", a.ID, a.Status))
}

// ExecuteBudgetAction implements the AWS Budgets operation
// ExecuteBudgetAction: APPROVE_BUDGET_ACTION executes a PENDING action;
// RETRY_BUDGET_ACTION runs again what failed (execution, reversal or
// reset); REVERSE_BUDGET_ACTION undoes an executed action;
// RESET_BUDGET_ACTION returns an action to STANDBY, so that it can
// trigger again.
func (s *Service) ExecuteBudgetAction(ctx context.Context, in *ExecuteBudgetActionRequest) (*ExecuteBudgetActionResponse, error) {
	account, typ := deref(in.AccountId), deref(in.ExecutionType)
	err := s.change(ctx, account, deref(in.BudgetName), func(r *record) error {
		_, a, err := r.findAction(deref(in.ActionId))
		if err != nil {
			return err
		}
		if a.inProgress() {
			return locked(a)
		}
		now := s.now()
		wrong := func(want ...ActionStatus) error {
			w := make([]string, len(want))
			for i, st := range want {
				w[i] = string(st)
			}
			return invalidf("the action %s is %s; %s applies to an action that is %s", a.ID, a.Status, typ, strings.Join(w, " or "))
		}
		switch typ {
		case ExecutionTypeApproveBudgetAction:
			if a.Status != ActionStatusPending {
				return wrong(ActionStatusPending)
			}
			a.execute(r.Name, now, EventTypeExecuteAction, "approved")
		case ExecutionTypeRetryBudgetAction:
			switch a.Status {
			case ActionStatusExecutionFailure:
				a.execute(r.Name, now, EventTypeExecuteAction, "retried")
			case ActionStatusReverseFailure:
				a.reverse(r.Name, now, "reversal retried")
			case ActionStatusResetFailure:
				a.reset(r.Name, now, EventTypeExecuteAction, "reset retried")
			default:
				return wrong(ActionStatusExecutionFailure, ActionStatusReverseFailure, ActionStatusResetFailure)
			}
		case ExecutionTypeReverseBudgetAction:
			if a.Status != ActionStatusExecutionSuccess {
				return wrong(ActionStatusExecutionSuccess)
			}
			a.reverse(r.Name, now, "reversal requested")
		case ExecutionTypeResetBudgetAction:
			if a.Status == ActionStatusStandby {
				return invalidf("the action %s is already STANDBY", a.ID)
			}
			a.reset(r.Name, now, EventTypeExecuteAction, "reset to STANDBY: the action triggers again when its threshold is exceeded")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ExecuteBudgetActionResponse{AccountId: ptr(account), BudgetName: in.BudgetName, ActionId: in.ActionId, ExecutionType: ptr(typ)}, nil
}

// DescribeBudgetAction implements the AWS Budgets operation
// DescribeBudgetAction.
func (s *Service) DescribeBudgetAction(ctx context.Context, in *DescribeBudgetActionRequest) (*DescribeBudgetActionResponse, error) {
	r, err := s.budgetOf(ctx, deref(in.AccountId), deref(in.BudgetName))
	if err != nil {
		return nil, err
	}
	_, a, err := r.findAction(deref(in.ActionId))
	if err != nil {
		return nil, err
	}
	return &DescribeBudgetActionResponse{AccountId: in.AccountId, BudgetName: in.BudgetName, Action: ptr(a.wire(r.Name))}, nil
}

// DescribeBudgetActionHistories implements the AWS Budgets operation
// DescribeBudgetActionHistories: the action's events, oldest first, within
// TimePeriod when given, 100 a page unless MaxResults says otherwise.
func (s *Service) DescribeBudgetActionHistories(ctx context.Context, in *DescribeBudgetActionHistoriesRequest) (*DescribeBudgetActionHistoriesResponse, error) {
	r, err := s.budgetOf(ctx, deref(in.AccountId), deref(in.BudgetName))
	if err != nil {
		return nil, err
	}
	_, a, err := r.findAction(deref(in.ActionId))
	if err != nil {
		return nil, err
	}
	stored, err := s.cfg.Store.ActionEvents(ctx, r.Account, r.Name, a.ID)
	if err != nil {
		return nil, err
	}
	var events []actionEvent
	for _, st := range stored {
		var e actionEvent
		if err := json.Unmarshal(st.Doc, &e); err != nil {
			return nil, fmt.Errorf("budgets: stored action event: %w", err)
		}
		events = append(events, e)
	}
	if tp := in.TimePeriod; tp != nil {
		var start, end time.Time
		if tp.Start != nil {
			start = tp.Start.Time()
		}
		if tp.End != nil {
			end = tp.End.Time()
		}
		if !end.IsZero() && !start.Before(end) {
			return nil, invalidf("the TimePeriod must start before it ends")
		}
		events = slices.DeleteFunc(events, func(e actionEvent) bool {
			return e.At.Before(start) || (!end.IsZero() && !e.At.Before(end))
		})
	}
	page, next, err := pager.Slice(pages[int](s, "DescribeBudgetActionHistories", in), events, maxResults(in.MaxResults, 100))
	if err != nil {
		return nil, err
	}
	out := &DescribeBudgetActionHistoriesResponse{ActionHistories: []ActionHistory{}, NextToken: next}
	for _, e := range page {
		act := e.Action
		out.ActionHistories = append(out.ActionHistories, ActionHistory{Timestamp: awsjson.NewEpochTime(e.At), Status: ptr(e.Status),
			EventType: ptr(e.Type), ActionHistoryDetails: &ActionHistoryDetails{Message: ptr(e.Message), Action: &act}})
	}
	return out, nil
}

// DescribeBudgetActionsForAccount implements the AWS Budgets operation
// DescribeBudgetActionsForAccount: the actions of the account's budgets, in
// budget name order and then in the order they were created.
func (s *Service) DescribeBudgetActionsForAccount(ctx context.Context, in *DescribeBudgetActionsForAccountRequest) (*DescribeBudgetActionsForAccountResponse, error) {
	account := deref(in.AccountId)
	if _, err := caller(ctx, account); err != nil {
		return nil, err
	}
	all, err := s.list(ctx, account)
	if err != nil {
		return nil, err
	}
	var acts []Action
	for _, r := range all {
		for _, a := range r.Actions {
			acts = append(acts, a.wire(r.Name))
		}
	}
	page, next, err := pager.Slice(pages[int](s, "DescribeBudgetActionsForAccount", in), acts, maxResults(in.MaxResults, 100))
	if err != nil {
		return nil, err
	}
	return &DescribeBudgetActionsForAccountResponse{Actions: append([]Action{}, page...), NextToken: next}, nil
}

// DescribeBudgetActionsForBudget implements the AWS Budgets operation
// DescribeBudgetActionsForBudget, in the order the actions were created.
func (s *Service) DescribeBudgetActionsForBudget(ctx context.Context, in *DescribeBudgetActionsForBudgetRequest) (*DescribeBudgetActionsForBudgetResponse, error) {
	r, err := s.budgetOf(ctx, deref(in.AccountId), deref(in.BudgetName))
	if err != nil {
		return nil, err
	}
	page, next, err := pager.Slice(pages[int](s, "DescribeBudgetActionsForBudget", in), r.Actions, maxResults(in.MaxResults, 100))
	if err != nil {
		return nil, err
	}
	out := &DescribeBudgetActionsForBudgetResponse{Actions: []Action{}, NextToken: next}
	for _, a := range page {
		out.Actions = append(out.Actions, a.wire(r.Name))
	}
	return out, nil
}
