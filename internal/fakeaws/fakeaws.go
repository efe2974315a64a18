// Package fakeaws is a small local stand-in for the AWS operations budget
// actions call, for tests: IAM Attach/Detach{Role,Group,User}Policy over
// the query protocol (form-encoded request, XML answer), Organizations
// AttachPolicy/DetachPolicy and SSM StartAutomationExecution over AWS JSON
// 1.1. The real aws-sdk-go-v2 clients talk to it unchanged through their
// BaseEndpoint. It keeps state — which policies are attached to what,
// which instances run, which automations started — so tests can assert
// what a budget action did and undid, and it records every call.
//
// It also answers STS AssumeRole (query protocol) for the roles it knows,
// with temporary keys whose calls it records as the role's (Call.Role).
//
// It answers as AWS documents: attaching an IAM policy twice succeeds;
// attaching an SCP twice is DuplicatePolicyAttachmentException; detaching
// what is not attached is NoSuchEntity (IAM) or PolicyNotAttachedException
// (Organizations); unknown entities are NoSuchEntity, PolicyNotFoundException
// or TargetNotFoundException; a StartAutomationExecution repeated with the
// same ClientToken and parameters returns the first execution, with other
// parameters IdempotentParameterMismatch. Signatures are not verified; the
// access key is recorded.
package fakeaws

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Call is one request the server answered.
type Call struct {
	Service   string // iam, organizations, ssm
	Op        string
	AccessKey string
	// Role is the ARN of the role whose temporary key (from AssumeRole)
	// signed the call, "" for other keys.
	Role   string
	Region string
	// Target is the role, group, user, target or instance the call is about;
	// Policy the policy ARN or ID; Document the automation document.
	Target, Policy, Document string
	RequestID                string
	// Err is the error code answered, "" for success.
	Err string
	// Note is the temporary access key an AssumeRole handed out.
	Note string
}

// Execution is an automation execution started with StartAutomationExecution.
type Execution struct {
	ID, Document, InstanceID, Region, ClientToken string
	// Status is Success, or Failed when the instance is unknown.
	Status string
}

// Server is the fake. Its zero value is not usable: call New.
type Server struct {
	mu sync.Mutex
	// iam maps "role/NAME", "group/NAME", "user/NAME" to the set of
	// policy ARNs attached.
	iam         map[string]map[string]bool
	iamPolicies map[string]bool
	// scp maps a target ID to the set of policy IDs attached.
	scp         map[string]map[string]bool
	scpPolicies map[string]bool
	// instances maps an instance ID to "running" or "stopped".
	instances  map[string]string
	executions []Execution
	calls      []Call
	failures   map[string]string
	hold       map[string]chan struct{}
	seq        int
	// sessions maps the temporary access keys AssumeRole handed out to
	// their role ARNs.
	sessions map[string]string
}

// New returns an empty fake.
func New() *Server {
	return &Server{iam: map[string]map[string]bool{}, iamPolicies: map[string]bool{}, scp: map[string]map[string]bool{},
		scpPolicies: map[string]bool{}, instances: map[string]string{}, failures: map[string]string{}, hold: map[string]chan struct{}{},
		sessions: map[string]string{}}
}

// AddRole, AddGroup and AddUser create IAM entities; AddPolicy an IAM
// managed policy.
func (s *Server) AddRole(name string)  { s.addEntity("role/" + name) }
func (s *Server) AddGroup(name string) { s.addEntity("group/" + name) }
func (s *Server) AddUser(name string)  { s.addEntity("user/" + name) }
func (s *Server) AddPolicy(arn string) { s.mu.Lock(); s.iamPolicies[arn] = true; s.mu.Unlock() }

func (s *Server) addEntity(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.iam[key] == nil {
		s.iam[key] = map[string]bool{}
	}
}

// AddSCP creates a service control policy; AddTarget a root, OU or account.
func (s *Server) AddSCP(id string) { s.mu.Lock(); s.scpPolicies[id] = true; s.mu.Unlock() }
func (s *Server) AddTarget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.scp[id] == nil {
		s.scp[id] = map[string]bool{}
	}
}

// AddInstance creates a running EC2 or RDS instance.
func (s *Server) AddInstance(id string) { s.mu.Lock(); s.instances[id] = "running"; s.mu.Unlock() }

// Fail makes every call of op (about target, when not "") answer the error
// code until Fail is called again with code "".
func (s *Server) Fail(op, target, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := op + " " + target
	if code == "" {
		delete(s.failures, k)
		return
	}
	s.failures[k] = code
}

// Hold makes calls of op wait, after they took effect and before they are
// answered, until the returned function is called (a crash in the middle of
// a call is a process killed while held).
func (s *Server) Hold(op string) (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.hold[op] = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.hold, op)
			s.mu.Unlock()
			close(ch)
		})
	}
}

// Attached returns the policies attached to an IAM entity ("role/dev") or
// an Organizations target, sorted.
func (s *Server) Attached(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.iam[key]
	if set == nil {
		set = s.scp[key]
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// InstanceState returns "running", "stopped" or "" for an unknown instance.
func (s *Server) InstanceState(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.instances[id]
}

// Executions returns the automation executions started, in order.
func (s *Server) Executions() []Execution {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.executions)
}

// Calls returns the calls answered, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

var credential = regexp.MustCompile(`Credential=([^/]+)/[^/]+/([^/]+)/`)

// ServeHTTP answers one AWS call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c := Call{}
	if m := credential.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		c.AccessKey, c.Region = m[1], m[2]
	}
	target := r.Header.Get("X-Amz-Target")
	switch {
	case strings.HasPrefix(target, "AWSOrganizationsV20161128."):
		c.Service, c.Op = "organizations", strings.TrimPrefix(target, "AWSOrganizationsV20161128.")
		s.serveJSON(w, &c, body, s.organizations)
	case strings.HasPrefix(target, "AmazonSSM."):
		c.Service, c.Op = "ssm", strings.TrimPrefix(target, "AmazonSSM.")
		s.serveJSON(w, &c, body, s.ssm)
	default:
		c.Service = "iam"
		s.serveQuery(w, r, &c, body)
	}
}

// apiError is an AWS error answer.
type apiError struct {
	status  int
	code    string
	message string
}

// begin gives the call its request ID; the caller holds s.mu.
func (s *Server) begin(c *Call) string {
	s.seq++
	c.RequestID = fmt.Sprintf("00000000-0000-4000-8000-%012d", s.seq)
	return c.RequestID
}

// injected returns the failure Fail set for the call, if any; the caller
// holds s.mu.
func (s *Server) injected(c *Call) *apiError {
	for _, k := range []string{c.Op + " " + c.Target, c.Op + " "} {
		if code, ok := s.failures[k]; ok {
			return &apiError{http.StatusBadRequest, code, "injected failure of " + c.Op}
		}
	}
	return nil
}

// finish records the call and, when it is held, waits for its release
// outside the lock. The caller holds s.mu; finish releases it.
func (s *Server) finish(c *Call, e *apiError) {
	if e != nil {
		c.Err = e.code
	}
	s.calls = append(s.calls, *c)
	ch := s.hold[c.Op]
	s.mu.Unlock()
	if ch != nil {
		<-ch
	}
}

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, c *Call, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.Op, c.Policy = form.Get("Action"), form.Get("PolicyArn")
	s.mu.Lock()
	c.Role = s.sessions[c.AccessKey]
	id := s.begin(c)
	if c.Op == "AssumeRole" {
		c.Service = "sts"
		s.assumeRole(w, c, form)
		return
	}
	e := s.iamCall(c, form)
	s.finish(c, e)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", id)
	if e != nil {
		w.WriteHeader(e.status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
			e.code, xmlEscape(e.message), id)
		return
	}
	fmt.Fprintf(w, `<%sResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, c.Op, id, c.Op)
}

var iamKinds = map[string]string{"RolePolicy": "RoleName", "GroupPolicy": "GroupName", "UserPolicy": "UserName"}

// iamCall applies an IAM call; the caller holds s.mu.
func (s *Server) iamCall(c *Call, form url.Values) *apiError {
	var attach bool
	var kind string
	switch {
	case strings.HasPrefix(c.Op, "Attach"):
		attach, kind = true, strings.TrimPrefix(c.Op, "Attach")
	case strings.HasPrefix(c.Op, "Detach"):
		kind = strings.TrimPrefix(c.Op, "Detach")
	}
	param, ok := iamKinds[kind]
	if !ok {
		return &apiError{http.StatusBadRequest, "InvalidAction", "the fake does not implement " + c.Op}
	}
	c.Target = form.Get(param)
	if e := s.injected(c); e != nil {
		return e
	}
	key := strings.ToLower(strings.TrimSuffix(kind, "Policy")) + "/" + c.Target
	set, ok := s.iam[key]
	if !ok {
		return &apiError{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("The %s with name %s cannot be found.", strings.TrimSuffix(param, "Name"), c.Target)}
	}
	if !s.iamPolicies[c.Policy] {
		return &apiError{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("Policy %s does not exist or is not attachable.", c.Policy)}
	}
	if attach {
		set[c.Policy] = true // attaching twice is no error in IAM
		return nil
	}
	if !set[c.Policy] {
		return &apiError{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("Policy %s was not found.", c.Policy)}
	}
	delete(set, c.Policy)
	return nil
}

// assumeRole answers STS AssumeRole; the caller holds s.mu, which it
// releases.
func (s *Server) assumeRole(w http.ResponseWriter, c *Call, form url.Values) {
	arn := form.Get("RoleArn")
	c.Target = arn
	name := arn[strings.LastIndex(arn, "/")+1:]
	var e *apiError
	if _, ok := s.iam["role/"+name]; !ok || !strings.Contains(arn, ":role/") {
		e = &apiError{http.StatusForbidden, "AccessDenied", "Not authorized to perform sts:AssumeRole on " + arn}
	} else if e = s.injected(c); e == nil {
		key := fmt.Sprintf("ASIAFAKE%012d", s.seq)
		s.sessions[key] = arn
		c.Note = key
	}
	s.finish(c, e)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", c.RequestID)
	if e != nil {
		w.WriteHeader(e.status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
			e.code, xmlEscape(e.message), c.RequestID)
		return
	}
	fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>`+
		`<AccessKeyId>%s</AccessKeyId><SecretAccessKey>fake-secret</SecretAccessKey><SessionToken>fake-token</SessionToken>`+
		`<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>%s</Arn><AssumedRoleId>AROAFAKE:%s</AssumedRoleId>`+
		`</AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></AssumeRoleResponse>`,
		c.Note, xmlEscape(arn), xmlEscape(form.Get("RoleSessionName")), c.RequestID)
}

func (s *Server) serveJSON(w http.ResponseWriter, c *Call, body []byte, op func(*Call, []byte) (any, *apiError)) {
	s.mu.Lock()
	c.Role = s.sessions[c.AccessKey]
	id := s.begin(c)
	out, e := op(c, body)
	s.finish(c, e)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", id)
	if e != nil {
		w.Header().Set("X-Amzn-Errortype", e.code)
		w.WriteHeader(e.status)
		json.NewEncoder(w).Encode(map[string]string{"__type": e.code, "message": e.message})
		return
	}
	json.NewEncoder(w).Encode(out)
}

// organizations applies an Organizations call; the caller holds s.mu.
func (s *Server) organizations(c *Call, body []byte) (any, *apiError) {
	var in struct{ PolicyId, TargetId string }
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &apiError{http.StatusBadRequest, "SerializationException", err.Error()}
	}
	c.Target, c.Policy = in.TargetId, in.PolicyId
	if e := s.injected(c); e != nil {
		return nil, e
	}
	if c.Op != "AttachPolicy" && c.Op != "DetachPolicy" {
		return nil, &apiError{http.StatusBadRequest, "UnknownOperationException", "the fake does not implement " + c.Op}
	}
	if !s.scpPolicies[in.PolicyId] {
		return nil, &apiError{http.StatusBadRequest, "PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified."}
	}
	set, ok := s.scp[in.TargetId]
	if !ok {
		return nil, &apiError{http.StatusBadRequest, "TargetNotFoundException", "We can't find a root, OU, account, or email address that you specified."}
	}
	if c.Op == "AttachPolicy" {
		if set[in.PolicyId] {
			return nil, &apiError{http.StatusBadRequest, "DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target."}
		}
		set[in.PolicyId] = true
		return struct{}{}, nil
	}
	if !set[in.PolicyId] {
		return nil, &apiError{http.StatusBadRequest, "PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root."}
	}
	delete(set, in.PolicyId)
	return struct{}{}, nil
}

// automationEffects are the instance states the runbooks leave.
var automationEffects = map[string]string{"AWS-StopEC2Instance": "stopped", "AWS-StartEC2Instance": "running",
	"AWS-StopRdsInstance": "stopped", "AWS-StartRdsInstance": "running"}

// ssm applies an SSM call; the caller holds s.mu.
func (s *Server) ssm(c *Call, body []byte) (any, *apiError) {
	if c.Op != "StartAutomationExecution" {
		return nil, &apiError{http.StatusBadRequest, "UnknownOperationException", "the fake does not implement " + c.Op}
	}
	var in struct {
		DocumentName string
		Parameters   map[string][]string
		ClientToken  string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &apiError{http.StatusBadRequest, "SerializationException", err.Error()}
	}
	c.Document = in.DocumentName
	effect, ok := automationEffects[in.DocumentName]
	if !ok {
		return nil, &apiError{http.StatusBadRequest, "AutomationDefinitionNotFoundException", "document " + in.DocumentName + " not found"}
	}
	ids := in.Parameters["InstanceId"]
	if len(ids) != 1 {
		return nil, &apiError{http.StatusBadRequest, "InvalidAutomationExecutionParametersException", "InstanceId takes one value"}
	}
	c.Target = ids[0]
	if e := s.injected(c); e != nil {
		return nil, e
	}
	if in.ClientToken != "" {
		for _, e := range s.executions {
			if strings.EqualFold(e.ClientToken, in.ClientToken) {
				if e.Document != in.DocumentName || e.InstanceID != ids[0] {
					return nil, &apiError{http.StatusBadRequest, "IdempotentParameterMismatch", "the ClientToken was used with other parameters"}
				}
				return map[string]string{"AutomationExecutionId": e.ID}, nil
			}
		}
	}
	e := Execution{ID: fmt.Sprintf("exec-%06d", s.seq), Document: in.DocumentName, InstanceID: ids[0], Region: c.Region,
		ClientToken: in.ClientToken, Status: "Failed"}
	if _, ok := s.instances[ids[0]]; ok {
		s.instances[ids[0]] = effect
		e.Status = "Success"
	}
	s.executions = append(s.executions, e)
	return map[string]string{"AutomationExecutionId": e.ID}, nil
}

func xmlEscape(v string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(v))
	return b.String()
}
