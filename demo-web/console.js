/*
 * Lianxin admin console. Every management action is one signed Server API request made by the
 * server-side console backend (`POST /console/api/call` → `POST /<path>.json` with the app's
 * signature): the secret never reaches this page, only an HttpOnly session cookie does.
 */
const $ = (id) => document.getElementById(id);
const HEADERS = { 'content-type': 'application/json', 'x-lianxin-console': '1' };

/**
 * field: { name, label, array?: true (comma separated → repeated field), value?: default,
 *          roomName?: true (chatroom/create's `chatroom[<id>]=<name>`), type?: 'now' (empty = the current time),
 *          optional?: true (may stay empty; every other field is required, marked with *) }
 * action: { title, path, fields, confirm?: question asked first ({field} = that field's value) }
 */
const SECTIONS = [
  { id: 'apps', title: 'Apps', actions: [] },
  {
    id: 'users', title: 'Users', actions: [
      { title: 'Issue token', path: 'user/getToken', fields: [{ name: 'userId', label: 'User ID' }, { name: 'name', label: 'Name' }, { name: 'portraitUri', label: 'Portrait URL', value: '', optional: true }] },
      { title: 'Expire tokens', path: 'user/token/expire', fields: [{ name: 'userId', label: 'User ID', array: true }, { name: 'time', label: 'Issued before (ms; empty = now)', type: 'now', optional: true }] },
      { title: 'Block user', path: 'user/block', fields: [{ name: 'userId', label: 'User ID' }, { name: 'minute', label: 'Minutes', value: '60' }] },
      { title: 'Unblock user', path: 'user/unblock', fields: [{ name: 'userId', label: 'User ID' }] },
      { title: 'Blocked users', path: 'user/block/query', fields: [] },
      { title: 'Online?', path: 'user/checkOnline', fields: [{ name: 'userId', label: 'User ID' }] },
      { title: 'Blacklist add', path: 'user/blacklist/add', fields: [{ name: 'userId', label: 'Owner user ID' }, { name: 'blackUserId', label: 'Users to blacklist', array: true }] },
      { title: 'Blacklist remove', path: 'user/blacklist/remove', fields: [{ name: 'userId', label: 'Owner user ID' }, { name: 'blackUserId', label: 'Users to remove', array: true }] },
      { title: 'Blacklist of a user', path: 'user/blacklist/query', fields: [{ name: 'userId', label: 'Owner user ID' }] },
    ],
  },
  {
    id: 'groups', title: 'Groups', actions: [
      { title: 'Create group', path: 'group/create', fields: [{ name: 'groupId', label: 'Group ID' }, { name: 'groupName', label: 'Group name' }, { name: 'userId', label: 'Members (comma separated)', array: true }] },
      { title: 'Add members', path: 'group/join', fields: [{ name: 'groupId', label: 'Group ID' }, { name: 'groupName', label: 'Group name' }, { name: 'userId', label: 'Members', array: true }] },
      { title: 'Remove members', path: 'group/quit', fields: [{ name: 'groupId', label: 'Group ID' }, { name: 'userId', label: 'Members', array: true }] },
      { title: 'Members', path: 'group/user/query', fields: [{ name: 'groupId', label: 'Group ID' }] },
      { title: 'Mute member', path: 'group/user/gag/add', fields: [{ name: 'groupId', label: 'Group ID' }, { name: 'userId', label: 'Members', array: true }, { name: 'minute', label: 'Minutes', value: '60' }] },
      { title: 'Unmute member', path: 'group/user/gag/rollback', fields: [{ name: 'groupId', label: 'Group ID' }, { name: 'userId', label: 'Members', array: true }] },
      { title: 'Muted members', path: 'group/user/gag/list', fields: [{ name: 'groupId', label: 'Group ID' }] },
      { title: 'Mute whole group (ban)', path: 'group/ban/add', fields: [{ name: 'groupId', label: 'Group ID', array: true }] },
      { title: 'Lift group ban', path: 'group/ban/rollback', fields: [{ name: 'groupId', label: 'Group ID', array: true }] },
      { title: 'Dismiss group', path: 'group/dismiss', confirm: 'Dismiss group {groupId}? All its members are removed.', fields: [{ name: 'groupId', label: 'Group ID' }, { name: 'userId', label: 'Operator user ID' }] },
    ],
  },
  {
    id: 'chatrooms', title: 'Chatrooms', actions: [
      { title: 'Create chatroom', path: 'chatroom/create', fields: [{ name: 'chatroomId', label: 'Chatroom ID', roomName: true }, { name: 'name', label: 'Name (empty = the ID)', optional: true }] },
      { title: 'Destroy chatroom', path: 'chatroom/destroy', confirm: 'Destroy chatroom(s) {chatroomId}? Everyone in them is removed and their history is gone.', fields: [{ name: 'chatroomId', label: 'Chatroom ID', array: true }] },
      { title: 'Chatroom info', path: 'chatroom/query', fields: [{ name: 'chatroomId', label: 'Chatroom ID', array: true }] },
      { title: 'Members', path: 'chatroom/user/query', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }, { name: 'count', label: 'Count', value: '100' }, { name: 'order', label: 'Order (1 asc, 2 desc)', value: '2' }] },
      { title: 'Ban (kick + block)', path: 'chatroom/user/block/add', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }, { name: 'userId', label: 'Users', array: true }, { name: 'minute', label: 'Minutes', value: '60' }] },
      { title: 'Unban', path: 'chatroom/user/block/rollback', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }, { name: 'userId', label: 'Users', array: true }] },
      { title: 'Banned users', path: 'chatroom/user/block/list', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }] },
      { title: 'Mute user', path: 'chatroom/user/gag/add', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }, { name: 'userId', label: 'Users', array: true }, { name: 'minute', label: 'Minutes', value: '60' }] },
      { title: 'Unmute user', path: 'chatroom/user/gag/rollback', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }, { name: 'userId', label: 'Users', array: true }] },
      { title: 'Muted users', path: 'chatroom/user/gag/list', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }] },
      { title: 'User whitelist add', path: 'chatroom/user/whitelist/add', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }, { name: 'userId', label: 'Users', array: true }] },
      { title: 'User whitelist remove', path: 'chatroom/user/whitelist/remove', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }, { name: 'userId', label: 'Users', array: true }] },
      { title: 'User whitelist', path: 'chatroom/user/whitelist/query', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }] },
      { title: 'Message whitelist add', path: 'chatroom/whitelist/add', fields: [{ name: 'objectnames', label: 'Object names', array: true, value: 'RC:TxtMsg' }] },
      { title: 'Message whitelist delete', path: 'chatroom/whitelist/delete', fields: [{ name: 'objectnames', label: 'Object names', array: true }] },
      { title: 'Message whitelist', path: 'chatroom/whitelist/query', fields: [] },
      { title: 'Set KV entry', path: 'chatroom/entry/set', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }, { name: 'userId', label: 'Operator user ID', value: 'admin' }, { name: 'key', label: 'Key' }, { name: 'value', label: 'Value' }, { name: 'autoDelete', label: 'Auto delete (0/1)', value: '0' }] },
      { title: 'KV entries', path: 'chatroom/entry/query', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }] },
      { title: 'Remove KV entry', path: 'chatroom/entry/remove', fields: [{ name: 'chatroomId', label: 'Chatroom ID' }, { name: 'userId', label: 'Operator user ID', value: 'admin' }, { name: 'key', label: 'Key' }] },
    ],
  },
  {
    id: 'words', title: 'Sensitive words', actions: [
      { title: 'Add word', path: 'sensitiveword/add', fields: [{ name: 'word', label: 'Word' }, { name: 'replaceWord', label: 'Replace with (empty = block)', optional: true }] },
      { title: 'List words', path: 'sensitiveword/list', fields: [{ name: 'type', label: 'Type (0 replace, 1 block, 2 all)', value: '2' }] },
      { title: 'Delete word', path: 'sensitiveword/delete', fields: [{ name: 'word', label: 'Word' }] },
    ],
  },
  { id: 'stats', title: 'Statistics', actions: [] },
  { id: 'settings', title: 'Settings', actions: [] },
];

/** What every failed request of a server that cannot be reached says (the answer's errorMessage). */
const UNREACHABLE = 'server unreachable';

/**
 * One console request. A request that gets no answer (the server is down, the network is gone) answers
 * status 0 with errorMessage "server unreachable", so every caller shows it the way it shows a refusal.
 */
async function api(path, init = {}) {
  let response;
  try {
    response = await fetch(path, { credentials: 'same-origin', ...init, headers: { ...HEADERS, ...(init.headers ?? {}) } });
  } catch {
    return { status: 0, body: { errorMessage: UNREACHABLE } };
  }
  const body = await response.json().catch(() => ({}));
  if (response.status === 401 && path !== '/console/api/login' && path !== '/console/api/password') showLogin();
  return { status: response.status, body };
}

/**
 * Runs the async work of an event (a click, a submit, a timer) that nobody awaits: whatever it throws is
 * shown in the status line and logged, never left as an uncaught rejection.
 */
function safely(what, work) {
  Promise.resolve().then(work).catch((error) => {
    $('status').textContent = `${what} failed: ${error?.message || error}`;
    console.error(what, error);
  });
}

function showLogin() {
  clearInterval(state.statsTimer);
  $('login').hidden = false;
  $('console').hidden = true;
  $('logout').hidden = true;
  $('password').focus();
}

async function showConsole() {
  $('login').hidden = true;
  $('console').hidden = false;
  $('logout').hidden = false;
  await loadApps();
  // The demo chat runs on the dev app: start there when it exists.
  const dev = state.apps.find((a) => a.dev);
  if (dev) $('app-key').value = dev.appKey;
  selectTab('apps');
}

/** Reloads the app list (table + picker), keeping the picked app when it is still usable. */
async function loadApps() {
  const { status, body } = await api('/console/api/apps');
  if (status !== 200) {
    // Keep the list shown (if any): an unreachable server has not removed the apps.
    $('status').textContent = `apps not loaded: ${body.errorMessage ?? status}`;
    return;
  }
  state.apps = body.apps ?? [];
  state.canCreate = body.canCreate === true;
  const select = $('app-key');
  const picked = select.value;
  const usable = state.apps.filter((a) => a.enabled);
  select.replaceChildren(...usable.map((a) => new Option(`${a.appKey}${a.dev ? ' (dev)' : ''}${a.name ? ` — ${a.name}` : ''}`, a.appKey)));
  if (usable.some((a) => a.appKey === picked)) select.value = picked;
  renderApps();
}

const state = { apps: [], canCreate: false, statsTimer: null };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function buildTabs() {
  const tabs = $('tabs');
  const panels = $('panels');
  for (const section of SECTIONS) {
    const tab = el('button', { type: 'button', role: 'tab', id: `tab-${section.id}`, 'aria-controls': `panel-${section.id}`, 'aria-selected': 'false', text: section.title });
    tab.addEventListener('click', () => selectTab(section.id));
    tabs.append(tab);
    const panel = el('section', { id: `panel-${section.id}`, role: 'tabpanel', 'aria-labelledby': `tab-${section.id}`, class: 'panel' });
    panel.hidden = true;
    section.actions.forEach((action, index) => panel.append(actionForm(section.id, action, index)));
    panels.append(panel);
  }
  buildSettings();
}

function selectTab(id) {
  for (const section of SECTIONS) {
    $(`tab-${section.id}`).setAttribute('aria-selected', String(section.id === id));
    $(`panel-${section.id}`).hidden = section.id !== id;
  }
  clearInterval(state.statsTimer);
  if (id === 'stats') {
    safely('statistics', refreshStats);
    state.statsTimer = setInterval(() => safely('statistics', refreshStats), 3000);
  }
}

function actionForm(sectionId, action, index) {
  const form = el('form', { class: 'action', 'data-path': action.path });
  form.append(el('h3', { text: action.title }), el('code', { text: `POST /${action.path}.json` }));
  for (const field of action.fields) {
    const id = `f-${sectionId}-${index}-${field.name}`;
    const input = el('input', { id, name: field.name });
    if (field.value !== undefined) input.value = field.value;
    if (field.type === 'now') input.placeholder = 'now';
    const label = el('label', { for: id, text: field.label });
    if (!field.optional) {
      input.required = true;
      label.append(el('span', { class: 'required', 'aria-hidden': 'true', text: ' *' }));
    }
    form.append(label, input);
  }
  form.append(el('button', { type: 'submit', text: action.title }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = {};
    let roomId = null;
    for (const field of action.fields) {
      const raw = form.elements[field.name].value.trim();
      if (field.roomName) roomId = raw;
      else if (field.type === 'now') params[field.name] = raw === '' ? String(Date.now()) : raw;
      else if (field.array) params[field.name] = raw.split(',').map((s) => s.trim()).filter(Boolean);
      else if (!(field.optional && raw === '')) params[field.name] = raw;
    }
    if (roomId !== null) {
      params[`chatroom[${roomId}]`] = params.name || roomId;
      delete params.name;
    }
    if (action.confirm && !confirm(action.confirm.replace(/\{(\w+)\}/g, (_, name) => form.elements[name]?.value.trim() ?? ''))) return;
    safely(action.path, () => call(action.path, params, form));
  });
  return form;
}

/** Runs one Server API call; its answer is shown under the submitted form (and in "Last Server API answer"). */
async function call(path, params, form) {
  const { status, body } = await api('/console/api/call', { method: 'POST', body: JSON.stringify({ appKey: $('app-key').value, path, params }) });
  const answer = status === 200 ? body.body : body;
  const text = status === 0 ? `POST /${path}.json → not sent: ${UNREACHABLE}` : `POST /${path}.json → ${JSON.stringify(answer, null, 2)}`;
  $('result').textContent = text;
  if (answer?.code === 200) $('status').textContent = `${path}: ok`;
  else $('status').textContent = `${path}: ${answer?.code !== undefined ? `code ${answer.code}` : (answer?.errorMessage ?? `HTTP ${status}`)}`;
  if (form) {
    for (const old of document.querySelectorAll('.action-answer')) old.remove();
    const ok = answer?.code === 200;
    const pre = el('pre', { class: `action-answer ${ok ? 'ok' : 'failed'}`, role: 'status', text });
    form.append(pre);
    pre.scrollIntoView({ block: 'nearest' });
  }
  return answer;
}

function renderApps() {
  const panel = $('panel-apps');
  const table = el('table', { 'aria-label': 'Apps' });
  table.append(el('tr', {}, ...['App key', 'Name', 'Secret', 'Source', 'State', 'Options', 'Actions'].map((t) => el('th', { text: t }))));
  for (const app of state.apps) {
    const actions = el('td', {});
    if (app.readOnly) {
      actions.append(el('span', { class: 'hint', text: 'read-only (server configuration)' }));
    } else {
      const toggle = el('button', { type: 'button', text: app.enabled ? 'Disable' : 'Enable', 'aria-label': `${app.enabled ? 'Disable' : 'Enable'} app ${app.appKey}` });
      toggle.addEventListener('click', () => safely(`${app.enabled ? 'disable' : 'enable'} ${app.appKey}`, () => changeApp(app.appKey, app.enabled ? 'disable' : 'enable')));
      const rotate = el('button', { type: 'button', text: 'Rotate secret', 'aria-label': `Rotate the secret of app ${app.appKey}` });
      rotate.addEventListener('click', () => {
        if (confirm(`Rotate the secret of ${app.appKey}? Its tokens stop working and its users are disconnected.`)) safely(`rotate ${app.appKey}`, () => changeApp(app.appKey, 'rotate'));
      });
      actions.append(toggle, rotate);
    }
    const source = app.dev ? 'dev app' : app.source === 'console' ? 'console' : 'config';
    table.append(el('tr', { 'data-app': app.appKey },
      el('td', { text: app.appKey }), el('td', { text: app.name ?? '' }), el('td', { text: app.appSecretMasked }), el('td', { text: source }),
      el('td', { class: 'app-state', text: app.enabled ? 'enabled' : 'disabled' }), el('td', {}, el('code', { text: JSON.stringify(app.options) })), actions));
  }
  const note = el('p', { class: 'hint', text: 'Configured apps (--app KEY:SECRET:options, LIANXIN_APPS, the config file, --dev-app) are read-only here. Apps created below are stored by the server and usable at once. Secrets are shown once, when created or rotated.' });
  panel.replaceChildren(el('div', {}, el('div', { class: 'table-scroll' }, table), note, createAppForm(), optionsForm(), el('div', { id: 'secret-once', role: 'alert' })));
}

/** Per-app options of a console app (the same names as --app KEY:SECRET:name=value). */
function optionsForm() {
  const form = el('form', { class: 'action', id: 'app-options-form' });
  const select = el('select', { id: 'options-app-key' });
  const editable = state.apps.filter((a) => !a.readOnly);
  select.append(...editable.map((a) => new Option(a.name ? `${a.appKey} — ${a.name}` : a.appKey, a.appKey)));
  const input = el('input', { id: 'options-text', placeholder: 'recallWindowMs=60000,multiDevice=1' });
  const fill = () => {
    const app = editable.find((a) => a.appKey === select.value);
    input.value = Object.entries(app?.optionText ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  };
  select.addEventListener('change', fill);
  fill();
  form.append(
    el('h3', { text: 'App options' }),
    el('label', { for: 'options-app-key', text: 'Console app' }), select,
    el('label', { for: 'options-text', text: 'Options (replace all; name=value, comma separated)' }), input,
    el('button', { type: 'submit', text: 'Save options' }),
  );
  if (editable.length === 0) form.querySelector('button').disabled = true;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    safely('save options', () => changeApp(select.value, 'options', { options: parseOptions(input.value) }));
  });
  return form;
}

function parseOptions(text) {
  const options = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq > 0) options[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return options;
}

function createAppForm() {
  const form = el('form', { class: 'action', id: 'create-app-form' });
  form.append(
    el('h3', { text: 'Create app' }),
    el('label', { for: 'new-app-name', text: 'App name' }), el('input', { id: 'new-app-name', name: 'name', maxlength: '64' }),
    el('label', { for: 'new-app-key', text: 'App key (empty = generated)' }), el('input', { id: 'new-app-key', name: 'appKey', maxlength: '64' }),
    el('label', { for: 'new-app-options', text: 'Options (name=value, comma separated)' }), el('input', { id: 'new-app-options', name: 'options', placeholder: 'multiDevice=1,maxGroupMembers=500' }),
    el('button', { type: 'submit', text: 'Create app' }),
  );
  if (!state.canCreate) form.querySelector('button').disabled = true;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    safely('create app', createApp);
  });
  return form;
}

async function createApp() {
  const options = parseOptions($('new-app-options').value);
  const { status, body } = await api('/console/api/apps', { method: 'POST', body: JSON.stringify({ name: $('new-app-name').value, appKey: $('new-app-key').value, options }) });
  if (status !== 200) {
    $('status').textContent = `app not created: ${body.errorMessage ?? status}`;
    return;
  }
  await loadApps();
  showSecretOnce(body.appKey, body.appSecret, 'created');
  $('app-key').value = body.appKey;
}

/** The one time a secret is shown: after creation or rotation. */
function showSecretOnce(appKey, secret, what) {
  $('status').textContent = `app ${appKey} ${what}`;
  $('secret-once').replaceChildren(
    el('p', { text: `App ${appKey} ${what}. Copy its secret now: it is not shown again.` }),
    el('p', {}, el('span', { text: 'App key: ' }), el('code', { id: 'once-app-key', text: appKey })),
    el('p', {}, el('span', { text: 'App secret: ' }), el('code', { id: 'once-app-secret', text: secret })),
  );
}

async function changeApp(appKey, action, payload = {}) {
  const { status, body } = await api(`/console/api/apps/${encodeURIComponent(appKey)}/${action}`, { method: 'POST', body: JSON.stringify(payload) });
  if (status !== 200) {
    $('status').textContent = `${action} ${appKey} failed: ${body.errorMessage ?? status}`;
    return;
  }
  await loadApps();
  if (body.appSecret) showSecretOnce(appKey, body.appSecret, 'secret rotated');
  else $('status').textContent = action === 'options' ? `app ${appKey}: options saved` : `app ${appKey} ${action}d`;
}

function buildSettings() {
  const panel = $('panel-settings');
  const form = el('form', { class: 'action', id: 'password-form' });
  form.append(
    el('h3', { text: 'Change admin password' }),
    el('label', { for: 'current-password', text: 'Current password' }), el('input', { id: 'current-password', type: 'password', autocomplete: 'current-password' }),
    el('label', { for: 'new-password', text: 'New password (8+ characters)' }), el('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', minlength: '8' }),
    el('button', { type: 'submit', text: 'Change password' }),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    safely('change password', async () => {
      const { status, body } = await api('/console/api/password', { method: 'POST', body: JSON.stringify({ current: $('current-password').value, next: $('new-password').value }) });
      $('status').textContent = status === 200 ? 'password changed' : `password not changed: ${body.errorMessage ?? status}`;
    });
  });
  panel.append(form);
}

// ------------------------------------------------------------------------------ statistics

const COLORS = ['#1f6feb', '#12b76a', '#f79009', '#d92d20', '#7a5af8', '#06aed4', '#ee46bc', '#667085'];

function barChart(title, entries) {
  const max = Math.max(1, ...entries.map(([, v]) => v));
  const width = 360;
  const barW = entries.length === 0 ? 0 : Math.min(60, (width - 20) / entries.length - 8);
  const svg = [`<svg viewBox="0 0 ${width} 160" role="img" aria-label="${escapeXml(title)}">`];
  entries.forEach(([label, value], i) => {
    const h = Math.round((value / max) * 110);
    const x = 10 + i * (barW + 8);
    svg.push(`<rect x="${x}" y="${130 - h}" width="${barW}" height="${h}" fill="${COLORS[i % COLORS.length]}"><title>${escapeXml(label)}: ${value}</title></rect>`);
    svg.push(`<text x="${x + barW / 2}" y="${125 - h}" font-size="11" text-anchor="middle">${value}</text>`);
    svg.push(`<text x="${x + barW / 2}" y="148" font-size="10" text-anchor="middle">${escapeXml(label)}</text>`);
  });
  svg.push('</svg>');
  return svg.join('');
}

function stackedMinutes(minutes) {
  const types = [...new Set(minutes.flatMap((m) => Object.keys(m.byType)))];
  const totals = minutes.map((m) => Object.values(m.byType).reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const width = 360;
  const slot = (width - 20) / Math.max(1, minutes.length);
  const svg = [`<svg viewBox="0 0 ${width} 160" role="img" aria-label="Messages per minute by type">`];
  minutes.forEach((m, i) => {
    let y = 130;
    types.forEach((type, t) => {
      const v = m.byType[type] ?? 0;
      if (v === 0) return;
      const h = (v / max) * 110;
      y -= h;
      svg.push(`<rect x="${10 + i * slot}" y="${y}" width="${Math.max(2, slot - 2)}" height="${h}" fill="${COLORS[t % COLORS.length]}"><title>${escapeXml(type)}: ${v}</title></rect>`);
    });
  });
  svg.push(`<text x="10" y="150" font-size="10">${minutes.length} min ago</text><text x="${width - 10}" y="150" font-size="10" text-anchor="end">now (max ${max}/min)</text></svg>`);
  const legend = types.map((t, i) => `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${escapeXml(t)}</span>`).join('');
  return svg.join('') + `<div class="legend">${legend}</div>`;
}

function lineChart(points) {
  const width = 360;
  const max = Math.max(1, ...points.map((p) => p.total));
  const step = (width - 20) / Math.max(1, points.length - 1);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${(10 + i * step).toFixed(1)},${(130 - (p.total / max) * 110).toFixed(1)}`).join(' ');
  return `<svg viewBox="0 0 ${width} 160" role="img" aria-label="Online connections over time"><path d="${path}" fill="none" stroke="#1f6feb" stroke-width="2"/><text x="10" y="150" font-size="10">max ${max}</text></svg>`;
}

function escapeXml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Redraws the charts every 3 s; the "Raw numbers" box is built once, so it stays open (and scrolled) across
 * refreshes. While the numbers cannot be fetched, one notice above the charts says so (the last charts
 * stay); the first answer after that clears it.
 */
async function refreshStats() {
  const { status, body } = await api('/console/api/stats');
  const panel = $('panel-stats');
  if ($('stats-charts') === null) {
    panel.replaceChildren(
      el('p', { id: 'stats-error', class: 'error', role: 'status' }),
      el('p', { id: 'stats-since', class: 'hint' }),
      el('div', { id: 'stats-charts', class: 'charts' }),
      el('details', { id: 'stats-details' }, el('summary', { text: 'Raw numbers' }), el('pre', { id: 'stats-raw' })),
    );
  }
  if (status !== 200) {
    const notice = status === 0 ? `Statistics not updated: ${UNREACHABLE} — retrying every 3 s` : `Statistics not updated: ${body.errorMessage ?? `HTTP ${status}`}`;
    if ($('stats-error').textContent !== notice) $('stats-error').textContent = notice;
    return;
  }
  $('stats-error').textContent = '';
  const s = body;
  const since = s.countingSince ? new Date(s.countingSince).toLocaleString() : 'now';
  $('stats-since').textContent = `Counting since ${since} (when Statistics was first opened after the server started): earlier traffic is not included.`;
  const drops = Object.entries(s.chatrooms.dropped).map(([k, v]) => [`drop ${k}`, v]);
  $('stats-charts').innerHTML = `
    <div class="chart" id="chart-online"><h3>Online connections by platform (${s.online.total})</h3>${barChart('Online by platform', Object.entries(s.online.byPlatform))}</div>
    <div class="chart" id="chart-messages"><h3>Messages per minute by type</h3>${stackedMinutes(s.messagesPerMinute)}</div>
    <div class="chart" id="chart-online-history"><h3>Online connections over time</h3>${lineChart(s.onlineHistory)}</div>
    <div class="chart" id="chart-drops"><h3>Chatroom drops / accepted</h3>${barChart('Chatroom drops', [...drops, ...Object.entries(s.chatrooms.accepted).map(([k, v]) => [`ok ${k}`, v])])}</div>`;
  $('stats-raw').textContent = JSON.stringify(s, null, 2);
}

// ------------------------------------------------------------------------------ start

buildTabs();
$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  safely('log in', async () => {
    const { status, body } = await api('/console/api/login', { method: 'POST', body: JSON.stringify({ password: $('password').value }) });
    if (status === 200) {
      $('login-error').textContent = '';
      $('password').value = '';
      await showConsole();
    } else {
      $('login-error').textContent = status === 0 ? `login failed: ${UNREACHABLE}` : (body.errorMessage ?? `login failed (${status})`);
    }
  });
});
$('logout').addEventListener('click', () => {
  safely('log out', async () => {
    const { status, body } = await api('/console/api/logout', { method: 'POST', body: '{}' });
    if (status === 200) showLogin();
    else $('status').textContent = `log out failed: ${body.errorMessage ?? status}`;
  });
});
const session = await api('/console/api/session');
if (session.body.authenticated) {
  await showConsole();
} else {
  showLogin();
  if (session.status === 0) $('login-error').textContent = UNREACHABLE;
}
