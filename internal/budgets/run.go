package budgets

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/store"
)

// Running an action. An execution, a reversal or a reset is a run: a list
// of AWS calls (Steps). A run goes in two stored steps around the calls:
//
//  1. begin, inside the budget's change or evaluation: the action moves to
//     EXECUTION_IN_PROGRESS (REVERSE_IN_PROGRESS, RESET_IN_PROGRESS) with
//     the steps it will take, stored in the same transaction as the
//     evaluation that triggered it;
//  2. the calls, outside the budget lock (the action is locked by its
//     status: ResourceLockedException);
//  3. finish: each call and AWS's answer (request ID, error) is added to
//     the history, the action moves to its outcome and its subscribers are
//     alerted, in one transaction.
//
// A crash between 1 and 3 leaves the action in progress with its steps; the
// next evaluation (every process evaluates at start) runs them again. Every
// step is idempotent — an attach of a policy already attached and a detach
// of one already detached are successes, and StartAutomationExecution
// carries an idempotency token derived from the run — so an action's effect
// happens once per trigger however often the calls are repeated.
//
// Across processes that share the store (store.ActionRuns: PostgreSQL with
// several nodes), a run is leased: the process that stores its begin claims
// it, renews the lease before each call and stores the outcome only while
// it still holds it; the others leave the run alone until the lease has run
// out (a process that died), then one of them resumes it as above. So the
// calls of a run are made by one process at a time, and twice only across
// a death.
//
// A reversal and a reset undo the steps that took effect (action.Applied),
// not the present definition: what was done is what is undone.

// Step is one AWS call of a run.
type Step struct {
	// Service is "iam", "organizations" or "ssm".
	Service string `json:"service"`
	// Op is the operation: AttachRolePolicy, DetachPolicy,
	// StartAutomationExecution, …
	Op string `json:"op"`
	// Target is the role, group or user name (IAM), the root, OU or account
	// ID (Organizations) or the instance ID (SSM).
	Target string `json:"target"`
	// Policy is the IAM policy ARN or the SCP's policy ID.
	Policy string `json:"policy,omitempty"`
	// Document and Region are the SSM automation document and its Region.
	Document string `json:"document,omitempty"`
	Region   string `json:"region,omitempty"`
}

func (s Step) String() string {
	switch s.Service {
	case "iam":
		return fmt.Sprintf("iam:%s %s %s", s.Op, s.Policy, s.Target)
	case "organizations":
		return fmt.Sprintf("organizations:%s %s %s", s.Op, s.Policy, s.Target)
	default:
		return fmt.Sprintf("ssm:%s %s InstanceId=%s in %s", s.Op, s.Document, s.Target, s.Region)
	}
}

// describe says in words what the step does.
func (s Step) describe() string {
	kind := map[string]string{"AttachRolePolicy": "role", "AttachGroupPolicy": "group", "AttachUserPolicy": "user",
		"DetachRolePolicy": "role", "DetachGroupPolicy": "group", "DetachUserPolicy": "user"}[s.Op]
	switch {
	case s.Service == "iam" && strings.HasPrefix(s.Op, "Attach"):
		return fmt.Sprintf("attach IAM policy %s to %s %s", s.Policy, kind, s.Target)
	case s.Service == "iam":
		return fmt.Sprintf("detach IAM policy %s from %s %s", s.Policy, kind, s.Target)
	case s.Op == "AttachPolicy":
		return fmt.Sprintf("attach service control policy %s to %s", s.Policy, s.Target)
	case s.Op == "DetachPolicy":
		return fmt.Sprintf("detach service control policy %s from %s", s.Policy, s.Target)
	case isUndo(s):
		return fmt.Sprintf("start instance %s again in %s (%s)", s.Target, s.Region, s.Document)
	}
	return fmt.Sprintf("stop instance %s in %s (%s)", s.Target, s.Region, s.Document)
}

// Answer is AWS's answer to a successful step.
type Answer struct {
	// RequestID is the request ID of AWS's response.
	RequestID string
	// Note says more: "already attached", the automation execution ID, …
	Note string
}

// Executor carries out steps in AWS (package actions implements it with
// the AWS SDK). A nil Executor means dry run: nothing is called.
type Executor interface {
	// Do makes the call of one step as the action's execution role. Token
	// is a UUID that is the same when the same step of the same run is
	// repeated (after a crash), for the calls that take an idempotency
	// token. An attach of what is already attached and a detach of what is
	// not attached succeed. A failed call returns an error whose text
	// carries AWS's error code, message and request ID.
	Do(ctx context.Context, role string, s Step, token string) (Answer, error)
}

// runKind is what a run does.
type runKind string

const (
	runExecute runKind = "execute"
	runReverse runKind = "reverse"
	runReset   runKind = "reset"
)

// run is an execution, reversal or reset in progress.
type run struct {
	Kind  runKind   `json:"kind"`
	Event EventType `json:"event"`
	Steps []Step    `json:"steps"`
	// Seq is the event number at which the run began: it identifies the
	// run (and so its idempotency tokens).
	Seq int `json:"seq"`
	// Why is the reason it began, repeated in its alerts.
	Why string `json:"why"`
}

var runStatus = map[runKind][3]ActionStatus{ // in progress, success, failure
	runExecute: {ActionStatusExecutionInProgress, ActionStatusExecutionSuccess, ActionStatusExecutionFailure},
	runReverse: {ActionStatusReverseInProgress, ActionStatusReverseSuccess, ActionStatusReverseFailure},
	runReset:   {ActionStatusResetInProgress, ActionStatusStandby, ActionStatusResetFailure},
}

// steps returns the calls that carry out the action's definition.
func (a *action) steps() []Step {
	var out []Step
	d := a.Definition
	switch {
	case d.IamActionDefinition != nil:
		iam := d.IamActionDefinition
		for _, l := range []struct {
			op    string
			names []string
		}{{"AttachRolePolicy", iam.Roles}, {"AttachGroupPolicy", iam.Groups}, {"AttachUserPolicy", iam.Users}} {
			for _, n := range l.names {
				out = append(out, Step{Service: "iam", Op: l.op, Target: n, Policy: deref(iam.PolicyArn)})
			}
		}
	case d.ScpActionDefinition != nil:
		for _, t := range d.ScpActionDefinition.TargetIds {
			out = append(out, Step{Service: "organizations", Op: "AttachPolicy", Target: t, Policy: deref(d.ScpActionDefinition.PolicyId)})
		}
	case d.SsmActionDefinition != nil:
		ssm := d.SsmActionDefinition
		doc := stopDocuments[deref(ssm.ActionSubType)]
		for _, id := range ssm.InstanceIds {
			out = append(out, Step{Service: "ssm", Op: "StartAutomationExecution", Target: id, Document: doc, Region: deref(ssm.Region)})
		}
	}
	return out
}

// stopDocuments are the AWS-owned automation runbooks that stop instances;
// undoDocuments start them again. They are the runbooks AWS's managed
// policy for budget actions (AWSBudgetsActions_RolePolicyForResourceAdministrationWithSSM)
// lets the execution role run.
var (
	stopDocuments = map[ActionSubType]string{ActionSubTypeStopEc2Instances: "AWS-StopEC2Instance",
		ActionSubTypeStopRdsInstances: "AWS-StopRdsInstance"}
	undoDocuments = map[string]string{"AWS-StopEC2Instance": "AWS-StartEC2Instance", "AWS-StopRdsInstance": "AWS-StartRdsInstance"}
	undoOps       = map[string]string{"AttachRolePolicy": "DetachRolePolicy", "AttachGroupPolicy": "DetachGroupPolicy",
		"AttachUserPolicy": "DetachUserPolicy", "AttachPolicy": "DetachPolicy", "StartAutomationExecution": "StartAutomationExecution"}
)

// undo returns the step that undoes s.
func undo(s Step) Step {
	u := s
	u.Op = undoOps[s.Op]
	if s.Service == "ssm" {
		u.Document = undoDocuments[s.Document]
	}
	return u
}

// undoes reports whether u is the undo of s.
func undoes(u, s Step) bool { return undo(s) == u }

// isUndo reports whether s undoes another step.
func isUndo(s Step) bool {
	return strings.HasPrefix(s.Op, "Detach") || strings.HasPrefix(s.Document, "AWS-Start")
}

// undoSteps returns the steps that undo what took effect, last first.
func (a *action) undoSteps() []Step {
	out := make([]Step, 0, len(a.Applied))
	for i := len(a.Applied) - 1; i >= 0; i-- {
		out = append(out, undo(a.Applied[i]))
	}
	return out
}

// begin starts a run: the action moves to the run's in-progress status.
// The calls are made once the change is stored (Service.settle).
func (a *action) begin(budget string, now time.Time, kind runKind, event EventType, why string, steps []Step) {
	a.record(budget, now, runStatus[kind][0], event, why)
	a.Run = &run{Kind: kind, Event: event, Steps: steps, Seq: a.Events, Why: why}
}

// callResult is a step as it was done.
type callResult struct {
	step   Step
	answer Answer
	err    error
}

// finish records a run's calls and its outcome, and returns the alerts to
// the action's subscribers. dryRun says that no call was made.
func (a *action) finish(r *record, now time.Time, results []callResult, dryRun bool, hooks []string) []store.Message {
	ru := a.Run
	a.Run = nil
	st := runStatus[ru.Kind]
	var failed error
	for _, c := range results {
		if !dryRun {
			a.record(r.Name, now, st[0], ru.Event, callMessage(c))
		}
		if c.err != nil {
			failed = c.err
			break
		}
		a.applied(c.step)
	}
	var status ActionStatus
	var msg string
	switch {
	case failed != nil:
		status = st[2]
		msg = fmt.Sprintf("%s failed: %v", ru.Kind, failed)
	case dryRun:
		status, msg = st[1], a.dryRun(ru)
	default:
		status, msg = st[1], fmt.Sprintf("%s succeeded: %d AWS call(s) made", ru.Kind, len(results))
	}
	if ru.Kind == runReset && failed == nil {
		msg = ru.Why + "; " + msg
	}
	a.record(r.Name, now, status, ru.Event, msg)
	return actionAlerts(r, a, alertSubject(r.Name, ru.Kind, status, dryRun), ru.Why, now, hooks)
}

// applied notes that s took effect: an attach or stop joins Applied, an
// undo removes what it undid.
func (a *action) applied(s Step) {
	for i, done := range a.Applied {
		if undoes(s, done) {
			a.Applied = slices.Delete(a.Applied, i, i+1)
			return
		}
		if done == s {
			return
		}
	}
	if !isUndo(s) {
		a.Applied = append(a.Applied, s)
	}
}

func callMessage(c callResult) string {
	if c.err != nil {
		return fmt.Sprintf("%s: failed: %v", c.step, c.err)
	}
	msg := fmt.Sprintf("%s: ok, request ID %s", c.step, c.answer.RequestID)
	if c.answer.Note != "" {
		msg += " (" + c.answer.Note + ")"
	}
	return msg
}

func alertSubject(budget string, kind runKind, status ActionStatus, dryRun bool) string {
	what := map[runKind]string{runExecute: "executed", runReverse: "reversed", runReset: "reset"}[kind]
	s := fmt.Sprintf("AWS Budgets: the budget action of %s was %s", budget, what)
	switch {
	case strings.HasSuffix(string(status), "FAILURE"):
		s = fmt.Sprintf("AWS Budgets: the budget action of %s failed (%s)", budget, status)
	case dryRun:
		s += " (dry run)"
	}
	return s
}

// token returns the idempotency token of step i of the run: a UUID derived
// from the action, the run and the step, the same when the run resumes.
func token(actionID string, ru *run, i int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%d/%s", actionID, ru.Seq, i, ru.Steps[i]))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// stepTimeout bounds one AWS call with its retries, so that an action is
// not left in progress (locked) by a call that never ends; a timed-out
// call fails the run, which can be retried.
const stepTimeout = 2 * time.Minute

// settle makes the calls of the runs that r's actions have begun and
// stores their outcomes. It is called without s.mu, after the change that
// began them was stored.
func (s *Service) settle(ctx context.Context, r *record) {
	for _, a := range r.Actions {
		if a.Run != nil {
			s.runAction(context.WithoutCancel(ctx), r.Account, r.Name, a.ID)
		}
	}
}

// runAction makes the calls of an action's run and stores the outcome. One
// goroutine at a time runs a given action; across processes that share the
// store (store.ActionRuns), the one holding the run's lease makes the calls,
// renewing it before each call, and a process that loses it (it stalled
// past the lease, and another took the run over) stops without storing
// anything.
func (s *Service) runAction(ctx context.Context, account, budget, id string) {
	key := account + "/" + budget + "/" + id
	s.runMu.Lock()
	if s.running[key] {
		s.runMu.Unlock()
		return
	}
	s.running[key] = true
	s.runMu.Unlock()
	defer func() {
		s.runMu.Lock()
		delete(s.running, key)
		s.runMu.Unlock()
	}()

	s.mu.Lock()
	_, a, err := s.stored(ctx, account, budget, id)
	s.mu.Unlock()
	if err != nil || a == nil || a.Run == nil {
		s.logRunError(err, account, budget, id)
		return
	}
	ru, role := a.Run, a.RoleARN
	lease := s.leaseOf(store.ActionRun{Account: account, Budget: budget, Action: id, Run: ru.Seq})
	if !lease.claim(ctx) {
		return // another process runs it
	}
	defer lease.release(ctx)
	// Claimed: read the action again, since a process that held the lease
	// until a moment ago may have stored the run's outcome since.
	s.mu.Lock()
	_, a, err = s.stored(ctx, account, budget, id)
	s.mu.Unlock()
	if err != nil || a == nil || a.Run == nil || a.Run.Seq != ru.Seq {
		s.logRunError(err, account, budget, id)
		return
	}
	var results []callResult
	for i, st := range ru.Steps {
		if i > 0 && !lease.claim(ctx) {
			return
		}
		c := callResult{step: st}
		if s.cfg.Executor != nil {
			callCtx, cancel := context.WithTimeout(ctx, stepTimeout)
			c.answer, c.err = s.cfg.Executor.Do(callCtx, role, st, token(id, ru, i))
			cancel()
		}
		results = append(results, c)
		if c.err != nil {
			break
		}
	}

	unlock, err := s.lock(ctx)
	if err != nil {
		s.logRunError(err, account, budget, id)
		return
	}
	defer unlock()
	if !lease.claim(ctx) {
		return
	}
	r, a, err := s.stored(ctx, account, budget, id)
	if err != nil || a == nil || a.Run == nil || a.Run.Seq != ru.Seq {
		s.logRunError(err, account, budget, id)
		return
	}
	msgs := a.finish(r, s.now(), results, s.cfg.Executor == nil, s.cfg.Webhooks)
	s.logRunError(s.save(ctx, r, msgs), account, budget, id)
}

// DefaultActionLease is how long a process holds the lease of an action
// run between two claims: longer than one AWS call may take (stepTimeout),
// since the lease is renewed before each call.
const DefaultActionLease = stepTimeout + 30*time.Second

// runLease is the lease of one run, when the store is shared
// (store.ActionRuns); without one every claim succeeds.
type runLease struct {
	s   *Service
	l   store.ActionRuns
	run store.ActionRun
}

func (s *Service) leaseOf(r store.ActionRun) runLease {
	l, _ := s.cfg.Store.(store.ActionRuns)
	return runLease{s: s, l: l, run: r}
}

// claim takes or renews the lease and reports whether this process holds
// it. A store error counts as not holding it: no call is made without it.
func (l runLease) claim(ctx context.Context) bool {
	if l.l == nil {
		return true
	}
	ok, err := l.l.ClaimActionRun(ctx, l.run, l.s.owner, l.s.cfg.ActionLease)
	if err != nil {
		l.s.logRunError(err, l.run.Account, l.run.Budget, l.run.Action)
		return false
	}
	if !ok {
		l.s.cfg.Logger.Info("budgets: action run leased by another process", "account", l.run.Account,
			"budget", l.run.Budget, "action", l.run.Action, "run", l.run.Run)
	}
	return ok
}

func (l runLease) release(ctx context.Context) {
	if l.l != nil {
		l.s.logRunError(l.l.ReleaseActionRun(ctx, l.run, l.s.owner), l.run.Account, l.run.Budget, l.run.Action)
	}
}

func (s *Service) logRunError(err error, account, budget, id string) {
	if err != nil {
		s.cfg.Logger.Error("budgets: action run", "account", account, "budget", budget, "action", id, "err", err)
	}
}

// stored reads a budget and one of its actions from the store (nil when
// either is gone). The caller holds s.mu.
func (s *Service) stored(ctx context.Context, account, budget, id string) (*record, *action, error) {
	doc, err := s.cfg.Store.BudgetDoc(ctx, account, budget)
	if err != nil || doc == nil {
		return nil, nil, err
	}
	r, err := decodeRecord(doc)
	if err != nil {
		return nil, nil, err
	}
	for _, a := range r.Actions {
		if a.ID == id {
			return r, a, nil
		}
	}
	return r, nil, nil
}
