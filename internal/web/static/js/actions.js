// A budget's actions on its details: what each does and when, its status,
// whether its executions were dry runs, and its history; create one, change
// its threshold or approval, delete it, approve a pending one, reverse an
// executed one, reset it, retry a failure, and send its subscribers a test
// alert. Everything goes through the AWS Budgets action operations under the
// signed-in account (the test alert through the UI's own endpoint).
import { h, replace, notice, dateTime } from './dom.js';

const TYPES = [['APPLY_IAM_POLICY', 'Attach an IAM policy'], ['APPLY_SCP_POLICY', 'Attach a service control policy'],
  ['RUN_SSM_DOCUMENTS', 'Stop EC2 or RDS instances']];
const STATUS_TONE = { STANDBY: 'badge-muted', PENDING: 'badge-warn', EXECUTION_SUCCESS: 'badge-bad', REVERSE_SUCCESS: 'badge-ok',
  EXECUTION_FAILURE: 'badge-bad', REVERSE_FAILURE: 'badge-bad', RESET_FAILURE: 'badge-bad' };

/** describeThreshold says when an action triggers; unit is the budget's. */
export function describeThreshold(a, unit = 'USD') {
  const t = a.ActionThreshold || {};
  const what = a.NotificationType === 'FORECASTED' ? 'Forecasted' : 'Actual';
  return `${what} > ${t.ActionThresholdValue}${t.ActionThresholdType === 'ABSOLUTE_VALUE' ? ` ${unit}` : '% of the limit'}`;
}

/** describeDefinition says what an action does to whom. */
export function describeDefinition(a) {
  const d = a.Definition || {};
  if (d.IamActionDefinition) {
    const i = d.IamActionDefinition;
    const who = [['role', i.Roles], ['group', i.Groups], ['user', i.Users]].filter(([, v]) => v && v.length)
      .map(([k, v]) => `${k}${v.length > 1 ? 's' : ''} ${v.join(', ')}`);
    return `Attach ${i.PolicyArn} to ${who.join('; ')}`;
  }
  if (d.ScpActionDefinition) return `Attach SCP ${d.ScpActionDefinition.PolicyId} to ${(d.ScpActionDefinition.TargetIds || []).join(', ')}`;
  if (d.SsmActionDefinition) {
    const s = d.SsmActionDefinition;
    return `${s.ActionSubType === 'STOP_RDS_INSTANCES' ? 'Stop RDS' : 'Stop EC2'} ${(s.InstanceIds || []).join(', ')} in ${s.Region}`;
  }
  return a.ActionType;
}

/** dryRunNote is the message of the newest dry-run execution in an action's history, or ''. */
export function dryRunNote(histories) {
  const dry = (histories || []).filter((e) => /^DRY RUN/.test(e.ActionHistoryDetails?.Message || ''));
  if (!dry.length) return '';
  return dry.reduce((x, y) => (Number(y.Timestamp) >= Number(x.Timestamp) ? y : x)).ActionHistoryDetails.Message;
}

/** drawActions lists the actions of budget b into box. */
export async function drawActions(app, accountId, b, box) {
  replace(box, h('h3', {}, 'Actions'));
  const base = { AccountId: accountId, BudgetName: b.BudgetName };
  let actions;
  try {
    actions = await app.client.all('budgets', 'DescribeBudgetActionsForBudget', { ...base, MaxResults: 100 }, 'Actions');
  } catch (e) {
    box.append(e.notImplemented ? notice('warn', `Budget actions are not available on this server yet (${e.type}).`)
      : notice('error', `${e.type}: ${e.message}`));
    return;
  }
  const histories = await Promise.all(actions.map((a) => app.client.all('budgets', 'DescribeBudgetActionHistories',
    { ...base, ActionId: a.ActionId, MaxResults: 100 }, 'ActionHistories').catch(() => null)));
  const redo = (msg) => drawActions(app, accountId, b, box).then(() => msg && box.querySelector('h3').after(msg));
  const attempt = async (fn, done) => {
    try {
      const r = await fn();
      redo(notice('info', typeof done === 'function' ? done(r) : done));
    } catch (e) {
      redo(notice('error', `${e.type}: ${e.message}`));
    }
  };
  const execute = (a, type, done) => attempt(() => app.client.call('budgets', 'ExecuteBudgetAction',
    { ...base, ActionId: a.ActionId, ExecutionType: type }), done);
  const remove = (a) => {
    if (!window.confirm(`Delete action ${a.ActionId}? What it did in AWS stays done.`)) return;
    attempt(() => app.client.call('budgets', 'DeleteBudgetAction', { ...base, ActionId: a.ActionId }), `Deleted action ${a.ActionId}.`);
  };
  const update = (a, change) => attempt(() => app.client.call('budgets', 'UpdateBudgetAction', { ...base, ActionId: a.ActionId, ...change }),
    `Updated action ${a.ActionId}.`);
  const testAlert = (a) => attempt(() => app.client.post('/ui/api/test-alert', { budget: b.BudgetName, action: a.ActionId }),
    (r) => `Test alert: ${(r.results || []).map((x) => `${x.kind} ${x.address}: ${x.error ? `failed (${x.error})` : 'sent'}`).join('; ') || 'no recipients'}.`);
  const busy = (st) => /_IN_PROGRESS$/.test(st);
  box.append(
    actions.length === 0 ? h('p', { className: 'muted' }, 'No actions. Add one to attach a policy or stop instances when spend crosses a threshold.') :
      h('table', { className: 'data compact', 'data-testid': 'actions' },
        h('thead', {}, h('tr', {}, ['Type', 'Does', 'When', 'Approval', 'Status', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, actions.map((a, i) => {
          const note = dryRunNote(histories[i]);
          const hist = h('tr', { className: 'action-history', hidden: true },
            h('td', { colSpan: 6 }, historyTable(histories[i])));
          const edit = h('tr', { className: 'action-edit', hidden: true }, h('td', { colSpan: 6 }, editForm(a, (change) => update(a, change))));
          return [h('tr', { 'data-action': a.ActionId, 'data-status': a.Status },
            h('td', {}, a.ActionType),
            h('td', { className: 'wrap' }, describeDefinition(a), h('div', { className: 'muted small' }, `as ${a.ExecutionRoleArn}`)),
            h('td', {}, describeThreshold(a, b.BudgetLimit?.Unit)),
            h('td', {}, a.ApprovalModel === 'MANUAL' ? 'Manual' : 'Automatic'),
            h('td', { className: 'wrap' }, h('span', { className: `badge ${STATUS_TONE[a.Status] || 'badge-muted'}`, 'data-testid': 'action-status' }, a.Status),
              note ? h('span', { className: 'badge badge-warn', 'data-testid': 'action-dry-run', title: note }, 'dry run') : null,
              note ? h('div', { className: 'muted small', 'data-testid': 'action-dry-run-note' }, note) : null),
            h('td', { className: 'nowrap' },
              a.Status === 'PENDING' ? h('button', { type: 'button', className: 'btn btn-small btn-primary', 'data-testid': 'action-approve',
                onclick: () => execute(a, 'APPROVE_BUDGET_ACTION', `Approved action ${a.ActionId}.`) }, 'Approve') : null,
              a.Status === 'EXECUTION_SUCCESS' ? h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'action-reverse',
                onclick: () => execute(a, 'REVERSE_BUDGET_ACTION', `Reversed action ${a.ActionId}.`) }, 'Reverse') : null,
              /_FAILURE$/.test(a.Status) ? h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'action-retry',
                onclick: () => execute(a, 'RETRY_BUDGET_ACTION', `Retried action ${a.ActionId}.`) }, 'Retry') : null,
              a.Status !== 'STANDBY' && !busy(a.Status) ? h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'action-reset',
                title: 'Undo attached policies and return to STANDBY, so that the action can trigger again',
                onclick: () => execute(a, 'RESET_BUDGET_ACTION', `Reset action ${a.ActionId}.`) }, 'Reset') : null,
              h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'action-history-toggle',
                onclick: () => { hist.hidden = !hist.hidden; } }, 'History'),
              busy(a.Status) ? null : h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'action-edit-toggle',
                onclick: () => { edit.hidden = !edit.hidden; } }, 'Edit'),
              h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'action-test-alert',
                title: 'Send a test alert to this action\'s subscribers and the server\'s webhooks', onclick: () => testAlert(a) }, 'Test alert'),
              busy(a.Status) ? null : h('button', { type: 'button', className: 'btn btn-small btn-danger', 'data-testid': 'action-delete',
                onclick: () => remove(a) }, 'Delete'))), edit, hist];
        }).flat())),
    actionForm(accountId, async (input) => {
      try {
        const r = await app.client.call('budgets', 'CreateBudgetAction', { ...base, ...input });
        redo(notice('info', `Created action ${r.ActionId}.`));
      } catch (e) {
        redo(notice('error', `${e.type}: ${e.message}`));
      }
    }));
}

/** editForm changes an action's threshold and approval (UpdateBudgetAction). */
function editForm(a, onSave) {
  const t = a.ActionThreshold || {};
  const thr = h('input', { type: 'number', min: '0', step: 'any', value: String(t.ActionThresholdValue ?? ''), className: 'narrow',
    'aria-label': 'New threshold', 'data-testid': 'action-edit-threshold', required: true });
  const thrType = h('select', { 'aria-label': 'New threshold type' }, h('option', { value: 'PERCENTAGE' }, '% of the limit'),
    h('option', { value: 'ABSOLUTE_VALUE' }, 'in the budget\'s unit'));
  thrType.value = t.ActionThresholdType || 'PERCENTAGE';
  const approval = h('select', { 'aria-label': 'New approval', 'data-testid': 'action-edit-approval' },
    h('option', { value: 'MANUAL' }, 'after my approval'), h('option', { value: 'AUTOMATIC' }, 'automatically'));
  approval.value = a.ApprovalModel;
  return h('form', { className: 'inline-form', onsubmit: (ev) => {
    ev.preventDefault();
    onSave({ ActionThreshold: { ActionThresholdValue: Number(thr.value), ActionThresholdType: thrType.value }, ApprovalModel: approval.value });
  } }, 'Trigger at', thr, thrType, 'run', approval,
  h('button', { type: 'submit', className: 'btn btn-small btn-primary', 'data-testid': 'action-edit-save' }, 'Save'));
}

function historyTable(list) {
  if (list === null) return notice('error', 'The history could not be read.');
  const rows = (list || []).slice().sort((x, y) => Number(x.Timestamp) - Number(y.Timestamp));
  return h('table', { className: 'data compact', 'data-testid': 'action-history' },
    h('thead', {}, h('tr', {}, ['Time', 'Event', 'Status', 'Message'].map((t) => h('th', {}, t)))),
    h('tbody', {}, rows.map((e) => h('tr', {}, h('td', { className: 'nowrap' }, dateTime(Number(e.Timestamp))), h('td', {}, e.EventType),
      h('td', {}, e.Status), h('td', { className: 'wrap' }, e.ActionHistoryDetails?.Message || '')))));
}

function actionForm(accountId, onCreate) {
  const type = h('select', { 'aria-label': 'Action type', 'data-testid': 'action-type' }, TYPES.map(([v, l]) => h('option', { value: v }, l)));
  const target = h('input', { placeholder: 'policy ARN', 'aria-label': 'Policy', 'data-testid': 'action-policy', required: true, style: { minWidth: '24em' },
    value: 'arn:aws:iam::aws:policy/AWSDenyAll' });
  const whoType = h('select', { 'aria-label': 'Attach to' }, h('option', { value: 'Roles' }, 'roles'), h('option', { value: 'Groups' }, 'groups'),
    h('option', { value: 'Users' }, 'users'));
  const who = h('input', { placeholder: 'names, comma separated (or target IDs / instance IDs)', 'aria-label': 'Targets', 'data-testid': 'action-targets', required: true });
  const region = h('input', { value: 'us-east-1', className: 'narrow', 'aria-label': 'Region' });
  const notif = h('select', { 'aria-label': 'Act on' }, h('option', { value: 'ACTUAL' }, 'actual spend'), h('option', { value: 'FORECASTED' }, 'forecasted spend'));
  const thr = h('input', { type: 'number', min: '0', step: 'any', value: '100', className: 'narrow', 'aria-label': 'Action threshold',
    'data-testid': 'action-threshold', required: true });
  const thrType = h('select', { 'aria-label': 'Action threshold type' }, h('option', { value: 'PERCENTAGE' }, '% of the limit'),
    h('option', { value: 'ABSOLUTE_VALUE' }, 'in the budget\'s unit'));
  const approval = h('select', { 'aria-label': 'Approval', 'data-testid': 'action-approval' }, h('option', { value: 'MANUAL' }, 'after my approval'),
    h('option', { value: 'AUTOMATIC' }, 'automatically'));
  const role = h('input', { value: `arn:aws:iam::${accountId}:role/BudgetsAction`, 'aria-label': 'Execution role', 'data-testid': 'action-role', required: true,
    style: { minWidth: '26em' } });
  const email = h('input', { placeholder: 'team@example.com', 'aria-label': 'Notify address', 'data-testid': 'action-email', required: true });
  const sync = () => {
    const t = type.value;
    whoType.hidden = t !== 'APPLY_IAM_POLICY';
    region.hidden = t !== 'RUN_SSM_DOCUMENTS';
    target.placeholder = t === 'APPLY_IAM_POLICY' ? 'policy ARN' : t === 'APPLY_SCP_POLICY' ? 'SCP policy ID (p-…)' : 'STOP_EC2_INSTANCES or STOP_RDS_INSTANCES';
  };
  type.onchange = () => {
    target.value = { APPLY_IAM_POLICY: 'arn:aws:iam::aws:policy/AWSDenyAll', APPLY_SCP_POLICY: '', RUN_SSM_DOCUMENTS: 'STOP_EC2_INSTANCES' }[type.value];
    sync();
  };
  sync();
  const list = () => who.value.split(',').map((s) => s.trim()).filter(Boolean);
  return h('form', { className: 'inline-form panel', 'data-testid': 'add-action', onsubmit: (ev) => {
    ev.preventDefault();
    const definition = {
      APPLY_IAM_POLICY: () => ({ IamActionDefinition: { PolicyArn: target.value.trim(), [whoType.value]: list() } }),
      APPLY_SCP_POLICY: () => ({ ScpActionDefinition: { PolicyId: target.value.trim(), TargetIds: list() } }),
      RUN_SSM_DOCUMENTS: () => ({ SsmActionDefinition: { ActionSubType: target.value.trim(), Region: region.value.trim(), InstanceIds: list() } }),
    }[type.value]();
    onCreate({ NotificationType: notif.value, ActionType: type.value,
      ActionThreshold: { ActionThresholdValue: Number(thr.value), ActionThresholdType: thrType.value },
      Definition: definition, ExecutionRoleArn: role.value.trim(), ApprovalModel: approval.value,
      Subscribers: [{ SubscriptionType: 'EMAIL', Address: email.value.trim() }] });
  } }, h('strong', {}, 'New action: '), type, target, whoType, who, region, 'when', notif, 'exceeds', thr, thrType, approval,
  'as role', role, 'notify', email,
  h('button', { type: 'submit', className: 'btn btn-small btn-primary', 'data-testid': 'action-create' }, 'Add action'));
}
