// The fixover web console: live state from /api/events (server-sent events), operations through
// the JSON API after a confirmation. Plain browser JavaScript, no dependencies, no CDN.

const $ = (sel) => document.querySelector(sel);
const tokenInput = $('#token');
const operatorInput = $('#operator');
tokenInput.value = sessionStorage.getItem('fixover-token') ?? '';
operatorInput.value = localStorage.getItem('fixover-operator') ?? '';
tokenInput.addEventListener('change', () => sessionStorage.setItem('fixover-token', tokenInput.value));
operatorInput.addEventListener('change', () => localStorage.setItem('fixover-operator', operatorInput.value));

/** The operations on a session: label, API path, what to confirm, which fields to ask for. */
const OPERATIONS = {
  logout: { label: 'Logout', path: 'logout', question: (id) => `Log out ${id}?`, fields: [['text', 'Logout text', 'text']] },
  disconnect: { label: 'Disconnect', path: 'disconnect', question: (id) => `Close the connection of ${id} at once (no Logout)?`, fields: [] },
  reset: { label: 'Reset', path: 'reset', question: (id) => `Reset ${id}: Logout, disconnect, both sequence numbers back to 1 and the store reset?`, fields: [['text', 'Logout text', 'text']] },
  'set-seq': { label: 'Set seq', path: 'sequence-numbers', question: (id) => `Set the sequence numbers of ${id}?`, fields: [['nextSender', 'Next sender (out)', 'number'], ['nextTarget', 'Next target (in)', 'number']] },
  refresh: { label: 'Refresh', path: 'refresh', question: (id) => `Reload ${id} from its store?`, fields: [] },
  // Shown on a cluster member only: the target is one of the other active members.
  move: {
    label: 'Move',
    path: 'move',
    question: (id) => `Move ${id} to another node? Its client is told to reconnect there (or logged out with a Logout naming it) at a quiet moment; nothing is lost.`,
    fields: (id) => [['node', 'Target node', 'select', moveTargets(id)]],
  },
};

/** The cluster this node is a member of (GET /api/cluster), or null when it is none. */
let cluster = null;

/** The active members a session can move to: every one but the member holding it. */
function moveTargets(id) {
  if (!cluster) return [];
  return cluster.members.filter((m) => m.state === 'active' && !m.sessions.includes(id)).map((m) => m.node);
}

function renderCluster() {
  const section = $('#cluster');
  document.body.classList.toggle('clustered', cluster !== null);
  section.hidden = cluster === null;
  if (!cluster) return;
  $('#cluster-name').textContent = cluster.cluster;
  $('#members').replaceChildren(
    ...cluster.members.map((m) =>
      el('li', { 'data-node': m.node, className: m.state }, el('strong', {}, m.node), text(` · ${m.state} · ${m.uris.join(', ')} · ${m.sessions.length} session(s)${m.sessions.length ? `: ${m.sessions.join(', ')}` : ''}`)),
    ),
    ...(cluster.moves ?? []).map((m) => el('li', { className: 'move' }, text(`moving ${m.session}: ${m.from} → ${m.to} (${m.reason})`))),
  );
}

/** Reads the cluster now; a node that is no member answers 404: the cluster part stays hidden and is not asked for again. */
let clusterTimer = null;
async function refreshCluster() {
  try {
    const res = await fetch('/api/cluster');
    cluster = res.ok ? await res.json() : null;
    if (res.status === 404 && clusterTimer !== null) {
      clearInterval(clusterTimer);
      clusterTimer = null;
    }
  } catch {
    // Unreachable for now: keep what was shown.
  }
  renderCluster();
}

const text = (s) => document.createTextNode(String(s));
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'className') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(typeof c === 'string' || typeof c === 'number' ? text(c) : c);
  return e;
};
const time = (ms) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '–');
const stateOf = (s) => (s.loggedOn ? ['logged on', 'loggedon'] : s.connected ? ['connected', 'connected'] : ['down', 'down']);

function say(message, ok = false) {
  const m = $('#message');
  m.textContent = message;
  m.className = ok ? 'ok' : '';
}

function renderNode(n) {
  const node = $('#node');
  node.replaceChildren(
    el('strong', {}, n.node),
    text(` · pid ${n.pid} · `),
    el('span', { className: n.ready ? 'ready' : 'notready', id: 'node-phase' }, `${n.phase}${n.ready ? ', ready' : ', not ready'}`),
    text(` · ${n.loggedOn}/${n.sessions} logged on · ports ${n.listeningPorts.join(', ') || 'none'}`),
  );
}

/** Rows by session ID: updated in place (the buttons stay put while the state changes under them). */
const rows = new Map();

function newRow(id) {
  const cells = {};
  const cell = (name, cls = '') => (cells[name] = el('td', cls ? { className: cls } : {}));
  const ops = el('td', { className: 'ops' }, ...Object.entries(OPERATIONS).map(([op, o]) => el('button', { 'data-op': op, type: 'button' }, o.label)));
  const row = el('tr', { 'data-session': id }, el('td', {}, id), cell('state', 'state'), cell('owner'), cell('seq', 'num seq'), cell('rates', 'num'), cell('remote'), cell('last'), ops);
  return { row, cells };
}

/** Who owns the session: this node (epoch), another live node, or nobody now (the last owner). */
function ownerText(s) {
  const o = s.owner;
  if (!o) return s.node ? 'none' : '– (no ownership)';
  const live = o.renewedAt + o.leaseMs > Date.now();
  if (s.ownerEpoch) return `${o.node} · ${s.ownerEpoch}`;
  return live ? `${o.node} · ${o.epoch} (other node)` : `none (last: ${o.node} · ${o.epoch})`;
}

function renderSessions(sessions) {
  const body = $('#sessions tbody');
  $('#empty').hidden = sessions.length > 0;
  const seen = new Set();
  for (const s of sessions) {
    seen.add(s.sessionId);
    let r = rows.get(s.sessionId);
    if (!r) {
      r = newRow(s.sessionId);
      rows.set(s.sessionId, r);
    }
    const [label, cls] = stateOf(s);
    const set = (name, value) => {
      if (r.cells[name].textContent !== value) r.cells[name].textContent = value;
    };
    set('state', label);
    set('owner', ownerText(s));
    r.cells.state.className = `state ${cls}`;
    set('seq', `${s.nextSenderSeq} / ${s.nextTargetSeq}`);
    set('rates', `${s.inRate ?? 0} / ${s.outRate ?? 0}`);
    set('remote', s.remoteAddress ?? '–');
    set('last', time(s.lastReceivedAt));
    if (r.row.parentNode !== body) body.append(r.row);
  }
  for (const [id, r] of rows) {
    if (seen.has(id)) continue;
    r.row.remove();
    rows.delete(id);
  }
}

const activity = [];
function addActivity(entries) {
  activity.push(...entries);
  if (activity.length > 200) activity.splice(0, activity.length - 200);
  $('#activity').replaceChildren(
    ...activity
      .slice()
      .reverse()
      .map((e) => el('li', { className: e.kind }, el('span', { className: 'kind' }, e.kind), text(`${time(e.at)} ${e.session ?? ''} ${e.text}`))),
  );
}

/** Asks for confirmation (and the operation's fields); resolves with the body, or null when cancelled. */
function confirmOperation(question, fields) {
  const dialog = $('#confirm');
  $('#confirm-question').textContent = question;
  $('#confirm-fields').replaceChildren(
    ...fields.map(([name, label, type, options]) =>
      el('label', {}, label, type === 'select' ? el('select', { name }, ...options.map((o) => el('option', { value: o }, o))) : el('input', { name, type, ...(type === 'number' ? { min: '1', step: '1' } : {}) })),
    ),
  );
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        if (dialog.returnValue !== 'ok') return resolve(null);
        const body = {};
        for (const input of dialog.querySelectorAll('input, select')) {
          if (input.value === '') continue;
          body[input.name] = input.type === 'number' ? Number(input.value) : input.value;
        }
        resolve(body);
      },
      { once: true },
    );
    dialog.returnValue = '';
    dialog.showModal();
  });
}

async function call(path, body) {
  const headers = { 'content-type': 'application/json' };
  if (tokenInput.value) headers.authorization = `Bearer ${tokenInput.value}`;
  if (operatorInput.value) headers['x-fixover-operator'] = operatorInput.value;
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(json.message ?? `HTTP ${res.status}`), { status: res.status, body: json });
  return json;
}

$('#sessions').addEventListener('click', async (ev) => {
  const button = ev.target.closest('button[data-op]');
  if (!button) return;
  const id = button.closest('tr').dataset.session;
  const op = OPERATIONS[button.dataset.op];
  if (op.path === 'move') await refreshCluster();
  const fields = typeof op.fields === 'function' ? op.fields(id) : op.fields;
  if (op.path === 'move' && fields[0][3].length === 0) return say(`Move ${id}: no other active member to move it to`);
  const body = await confirmOperation(op.question(id), fields);
  if (body === null) return say('');
  try {
    await call(`/api/sessions/${encodeURIComponent(id)}/${op.path}`, body);
    say(op.path === 'move' ? `Move ${id} to ${body.node}: requested` : `${op.label} ${id}: done`, true);
    if (op.path === 'move') void refreshCluster();
  } catch (e) {
    say(`${op.label} ${id}: ${e.message}`);
  }
});

$('#drain').addEventListener('click', async () => {
  const body = await confirmOperation('Drain this node: stop accepting connections and log every session out?', [['text', 'Logout text', 'text']]);
  if (body === null) return say('');
  try {
    await call('/api/node/drain', body);
    say('Drain: done', true);
  } catch (e) {
    say(`Drain: ${e.message}`);
  }
});

/** The node's TLS (GET /api/node/tls): the certificates in use, a row marked when it has an expiry warning. */
function renderTls(status, reasons = []) {
  $('#tls-none').hidden = status.tls;
  $('#tls-body').hidden = !status.tls;
  $('#reload-tls').hidden = !status.tls;
  if (!status.tls) return;
  $('#tls-certificates tbody').replaceChildren(
    ...status.certificates.map((c) =>
      el(
        'tr',
        { 'data-path': c.path, ...(c.warning ? { className: 'warning', title: c.warning } : {}) },
        el('td', {}, c.path),
        el('td', {}, c.setting),
        el('td', { className: 'subject' }, c.subject),
        el('td', {}, time(Date.parse(c.notAfter))),
        el('td', { className: 'num days' }, c.daysLeft),
      ),
    ),
  );
  $('#tls-warnings').replaceChildren(...status.warnings.map((w) => el('li', {}, w)));
  $('#tls-failures').textContent = String(status.handshakeFailures);
  $('#tls-reasons').hidden = reasons.length === 0;
  $('#tls-reasons').replaceChildren(...reasons.map((r) => el('li', {}, `${r.file ?? '–'} (${r.setting ?? '–'}): ${r.problem}`)));
}

/** The reasons of the last refused reload, shown until a reload succeeds. */
let lastReasons = [];

/** Reads the TLS status now; a node without TLS keeps none (a reload cannot add it), so it is not asked for again. */
let tlsTimer = null;
async function refreshTls() {
  try {
    const res = await fetch('/api/node/tls');
    if (!res.ok) return;
    const status = await res.json();
    renderTls(status, lastReasons);
    if (!status.tls && tlsTimer !== null) {
      clearInterval(tlsTimer);
      tlsTimer = null;
    }
  } catch {
    // Unreachable for now: keep what was shown.
  }
}

$('#reload-tls').addEventListener('click', async () => {
  const body = await confirmOperation('Reload the certificates: read every certificate, key and trust file of this node again? New connections use them, open ones keep theirs.', []);
  if (body === null) return say('');
  try {
    const res = await call('/api/node/tls/reload', body);
    lastReasons = [];
    renderTls(res.tls);
    say('Reload certificates: done', true);
  } catch (e) {
    // 409 tls_reload_failed: each file at fault, and what stays in use.
    if (Array.isArray(e.body?.reasons)) {
      lastReasons = e.body.reasons;
      if (e.body.tls) renderTls(e.body.tls, lastReasons);
      else void refreshTls();
    }
    say(`Reload certificates: ${e.message}`);
  }
});

function connect() {
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => ($('#live').className = 'live on'));
  events.addEventListener('error', () => ($('#live').className = 'live off'));
  events.addEventListener('hello', (e) => {
    activity.length = 0;
    addActivity(JSON.parse(e.data).activity);
  });
  events.addEventListener('snapshot', (e) => {
    const { node, sessions } = JSON.parse(e.data);
    renderNode(node);
    renderSessions(sessions);
  });
  events.addEventListener('activity', (e) => addActivity([JSON.parse(e.data)]));
}

connect();
clusterTimer = setInterval(refreshCluster, 2000);
refreshCluster();
tlsTimer = setInterval(refreshTls, 30_000);
refreshTls();
