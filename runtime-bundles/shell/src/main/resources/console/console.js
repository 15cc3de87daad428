// Mosaic's web console: pages drawn from the management API (/api/v1), with the session's cookie;
// changes carry the session's X-Mosaic-CSRF token. No framework, nothing loaded from elsewhere.
'use strict';

const csrf = document.querySelector('meta[name=mosaic-csrf]').content;
const readOnly = document.querySelector('meta[name=mosaic-read-only]').content === 'true';
const main = document.getElementById('main');
let timer = null;

function esc(v) {
  return String(v == null ? '' : v).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

async function api(path) {
  const r = await fetch('/api/v1' + path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (r.status === 401) { location.href = '/console/login'; throw new Error('logged out'); }
  const body = await r.json();
  if (!r.ok) { throw new Error(body.message || r.status); }
  return body;
}

async function change(method, path) {
  const r = await fetch('/api/v1' + path, {
    method, credentials: 'same-origin',
    headers: { Accept: 'application/json', 'X-Mosaic-CSRF': csrf, 'X-Mosaic-Actor': 'web-console' }
  });
  const body = await r.json();
  alert(r.ok ? body.summary : 'refused: ' + (body.message || r.status));
  show();
}

function table(headers, rows, id) {
  return '<table' + (id ? ' id="' + id + '"' : '') + '><tr>' + headers.map(h => '<th>' + esc(h) + '</th>').join('') + '</tr>'
    + (rows.length ? rows.map(r => '<tr>' + r.join('') + '</tr>').join('')
      : '<tr><td colspan="' + headers.length + '" class="muted">none</td></tr>') + '</table>';
}
const td = v => '<td>' + esc(v) + '</td>';
const num = v => '<td class="num">' + esc(v) + '</td>';
const button = (label, action) => readOnly ? '<td><button disabled title="read-only session">' + esc(label) + '</button></td>'
  : '<td><button data-action="' + esc(action) + '">' + esc(label) + '</button></td>';

// ---- routes: live rates, errors and latency, from the difference between two readings of the counters
let previous = {};
function quantile(bounds, counts, q) {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) { return null; }
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i];
    if (seen >= q * total) { return i < bounds.length ? bounds[i] * 1000 : Infinity; }
  }
  return Infinity;
}
// a latency histogram's bucket: the quantile is at most its upper bound
const ms = v => v == null ? '-' : v === Infinity ? 'over the last bound' : '\u2264 ' + (v < 1 ? v.toFixed(2) : v.toFixed(0)) + ' ms';

async function routes() {
  const stats = await api('/routes/stats');
  const now = Date.now();
  const rows = stats.map(s => {
    const key = s.environment + ' ' + s.method + ' ' + s.path + ' ' + s.version;
    const total = s.statusClasses.reduce((a, b) => a + b, 0);
    const before = previous[key];
    const seconds = before ? (now - before.at) / 1000 : 0;
    const requests = before ? total - before.total : total;
    const errors = before ? s.statusClasses[4] - before.errors : s.statusClasses[4];
    const counts = before ? s.latency.counts.map((c, i) => c - before.counts[i]) : s.latency.counts;
    previous[key] = { at: now, total, errors: s.statusClasses[4], counts: s.latency.counts };
    const rate = seconds > 0 ? (requests / seconds).toFixed(1) : '-';
    const errorShare = requests > 0 ? (100 * errors / requests).toFixed(1) + '%' : '-';
    return [td(s.environment), td(s.method), td(s.path), td(s.adapter), td(s.version), num(total), num(rate),
      '<td class="num' + (errors > 0 ? ' bad' : '') + '">' + esc(errorShare) + '</td>',
      num(ms(quantile(s.latency.bounds, counts, 0.5))), num(ms(quantile(s.latency.bounds, counts, 0.99))), num(s.inFlight)];
  });
  return '<h2>Routes</h2><p class="muted">Requests per second, 5xx share and latency over the last two seconds (refreshed every two).</p>'
    + table(['env', 'method', 'path', 'adapter', 'version', 'requests', 'req/s', '5xx', 'p50', 'p99', 'in flight'], rows, 'routes');
}

async function deployments() {
  const list = await api('/deployments');
  const rows = list.map(d => [td(d.environment), historyOf(d.name, d.environment), td(d.version), td(d.kind), td(d.state),
    td(d.owner), td(d.scmCommit), td(d.deployedAt), td(d.deployedBy), td((d.sha256 || '').substring(0, 12)),
    String(d.kind).toUpperCase() === 'ADAPTER' ? button('rollback', 'POST /deployments/' + d.environment + '/' + d.name + '/rollback') : '<td></td>']);
  return '<h2>Deployments</h2>' + table(['env', 'name', 'version', 'kind', 'state', 'owner', 'commit', 'deployed', 'by', 'sha-256', ''],
    rows, 'deployments');
}

async function graph() {
  const env = new URLSearchParams(location.hash.split('?')[1] || '').get('env') || 'prod';
  const g = await api('/graph?env=' + encodeURIComponent(env));
  const columns = { ADAPTER: [], MODULE: [], BACKEND: [] };
  g.nodes.filter(n => n.environment === env).forEach(n => {
    const kind = String(n.kind).toUpperCase();
    (columns[kind] || columns.MODULE).push({ id: n.id, label: n.name + ' ' + n.version, yanked: n.yanked, kind });
  });
  const backends = {};
  (g.calls || []).filter(c => c.environment === env).forEach(c => { backends[c.to] = { id: c.to, label: c.backend, kind: 'BACKEND' }; });
  columns.BACKEND = Object.values(backends);
  const at = {};
  const width = 300, gap = 120, rowHeight = 34;
  ['ADAPTER', 'MODULE', 'BACKEND'].forEach((k, c) => columns[k].forEach((n, i) => { at[n.id] = { x: 20 + c * (width + gap), y: 20 + i * rowHeight, n }; }));
  const height = 40 + rowHeight * Math.max(1, ...Object.values(columns).map(c => c.length));
  const seen = new Set();
  let lines = '';
  g.edges.forEach(e => {
    const k = e.from + '>' + e.to;
    if (seen.has(k) || !at[e.from] || !at[e.to]) { return; }
    seen.add(k);
    lines += '<line x1="' + (at[e.from].x + width) + '" y1="' + (at[e.from].y + 12) + '" x2="' + at[e.to].x + '" y2="' + (at[e.to].y + 12) + '"/>';
  });
  (g.calls || []).forEach(c => {
    if (!at[c.from] || !at[c.to]) { return; }
    const from = at[c.from];
    lines += '<line class="call" x1="' + (from.x + width) + '" y1="' + (from.y + 12) + '" x2="' + at[c.to].x + '" y2="' + (at[c.to].y + 12) + '"/>';
  });
  const boxes = Object.values(at).map(p => '<g class="' + p.n.kind.toLowerCase() + (p.n.yanked ? ' yanked' : '') + '" data-node="' + esc(p.n.id) + '">'
    + '<rect x="' + p.x + '" y="' + p.y + '" width="' + width + '" height="24" rx="4"/>'
    + '<text x="' + (p.x + 8) + '" y="' + (p.y + 16) + '">' + esc(p.n.label) + (p.n.yanked ? ' (yanked)' : '') + '</text></g>').join('');
  return '<h2>Dependency graph: ' + esc(env) + '</h2><p class="muted">Adapters, the module versions they are wired to, the backends they call.'
    + ' Another environment: <a href="#graph?env=test">test</a>, <a href="#graph?env=prod">prod</a>.</p>'
    + '<svg id="graph" width="' + (60 + 3 * width + 2 * gap) + '" height="' + height + '">' + lines + boxes + '</svg>';
}

async function uptake() {
  const list = await api('/uptake');
  const rows = list.map(u => [td(u.environment), td(u.module), td(u.line), td(u.newest),
    td(Object.entries(u.consumers).map(([v, n]) => v + ': ' + n).join(', ')), num(u.total),
    num(Math.round(100 * u.shareOnNewest) + '%')]);
  return '<h2>Uptake per module</h2>' + table(['env', 'module', 'line', 'newest', 'consumers per version', 'consumers', 'on newest'], rows, 'uptake');
}

async function rollouts() {
  const list = await api('/rollouts');
  const rows = list.map(r => [td(r.environment), td(r.adapter), td(r.baseline), td(r.canary), num(r.share + '%'), td(r.state),
    td(r.verdict ? r.verdict.outcome : '-'), td((r.waves || []).join(' -> ')),
    button('promote', 'POST /deployments/' + r.environment + '/' + r.adapter + '/canary/promote'),
    button('abort', 'POST /deployments/' + r.environment + '/' + r.adapter + '/canary/abort')]);
  return '<h2>Rollouts</h2>' + table(['env', 'name', 'baseline', 'canary', 'share', 'state', 'verdict', 'waves', '', ''], rows, 'rollouts');
}

// a name's cell, linked to its changes in its environment
const historyOf = (name, env) => '<td><a class="history-of" href="#history?' + esc(new URLSearchParams({ name, env }).toString())
  + '">' + esc(name) + '</a></td>';

async function history() {
  const asked = new URLSearchParams(location.hash.split('?')[1] || '');
  const name = asked.get('name');
  const env = asked.get('env');
  // the newest 100 changes, or as many as the page was asked for: "older changes" asks for twice as many
  const limit = Math.max(1, parseInt(asked.get('limit'), 10) || 100);
  const query = new URLSearchParams({ limit: String(limit) });
  if (name) { query.set('name', name); }
  if (env) { query.set('env', env); }
  const list = await api('/history?' + query);
  const older = new URLSearchParams(query);
  older.set('limit', String(limit * 2));
  const more = list.length >= limit
    ? '<p><a class="older" href="#history?' + esc(older.toString()) + '">older changes</a> (the newest ' + limit + ' are shown)</p>'
    : '';
  const rows = list.reverse().map(h => {
    const moved = (h.moves || []).length;
    const detail = h.replacedVersion ? 'replaced ' + h.replacedVersion : (h.detail || '');
    return [num(h.sequence), td(h.time), td(h.actor), td(h.operation), td(h.environment), historyOf(h.name, h.environment),
      td(h.version), td(detail + (moved ? (detail ? '; ' : '') + moved + ' moved: '
        + h.moves.map(m => m.consumer + ' ' + m.consumerVersion).join(', ') : ''))];
  });
  const title = name || env ? 'History of ' + esc(name || 'everything') + (env ? ' in ' + esc(env) : '')
    + ' <a class="muted" href="#history">(all changes)</a>' : 'History';
  return '<h2>' + title + '</h2>' + table(['#', 'time', 'actor', 'operation', 'env', 'name', 'version', 'detail'], rows, 'history')
    + more;
}

async function health() {
  const r = await fetch('/api/v1/health', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const h = await r.json();
  const status = String(h.status).toUpperCase();
  return '<h2>Health</h2><p id="health-status" class="' + (status === 'OK' ? 'ok' : 'bad') + '">' + esc(status) + ': '
    + esc(h.running) + ' of ' + esc(h.deployments) + ' deployments running</p>'
    + table(['failed'], (h.failed || []).map(f => [td(f)])) + table(['retired bundles still in memory'], (h.leaks || []).map(l => [td(l.name + ' ' + l.version + ' in ' + l.environment)]))
    + table(['findings'], (h.findings || []).map(f => [td(f)]));
}

async function backends() {
  const list = await api('/backends');
  const rows = list.map(b => [td(b.environment), td(b.name), td((b.spec.urls || []).join(' ')), td((b.usedBy || []).join(', ')),
    td(b.stats ? b.stats.breaker : '-'), num(b.stats ? b.stats.calls : 0), num(b.stats ? b.stats.errors : 0)]);
  return '<h2>Backends</h2>' + table(['env', 'name', 'urls', 'used by', 'breaker', 'calls', 'errors'], rows, 'backends');
}

async function fleet() {
  let f;
  try {
    f = await api('/fleet');
  } catch (e) {
    return '<h2>Fleet</h2><p class="muted" id="fleet">' + esc(e.message) + '</p>';
  }
  const rows = (f.instances || []).map(i => [td(i.id), td(i.group), td(i.address), td(i.runtime || '(older)'), num(i.applied),
    num(i.lag), td(i.health), td(i.live ? 'live' : 'gone'), num(i.heartbeatAgeMillis + ' ms')]);
  return '<h2>Fleet</h2>' + (f.instances ? table(['instance', 'group', 'address', 'runtime', 'applied', 'lag', 'health', '', 'heartbeat'], rows, 'fleet')
    : '<p class="muted">' + esc(f.message || 'This runtime is not part of a fleet (bin/mosaic run --store ...).') + '</p>');
}

const pages = { routes, deployments, graph, uptake, rollouts, history, health, backends, fleet };

async function show() {
  clearTimeout(timer);
  const name = (location.hash.substring(1).split('?')[0]) || 'routes';
  document.querySelectorAll('#nav a').forEach(a => a.classList.toggle('active', a.getAttribute('href') === '#' + name));
  try {
    main.innerHTML = await (pages[name] || routes)();
  } catch (e) {
    main.innerHTML = '<p class="error" id="page-error">' + esc(e.message) + '</p>';
  }
  main.dataset.page = name;
  if (name === 'routes' || name === 'rollouts' || name === 'fleet') {
    timer = setTimeout(show, 2000);
  }
}

main.addEventListener('click', e => {
  const action = e.target.dataset && e.target.dataset.action;
  if (action && confirm(action + '?')) {
    const [method, path] = action.split(' ');
    change(method, path);
  }
});
document.getElementById('mode').textContent = readOnly ? 'read-only' : '';
window.addEventListener('hashchange', show);
show();
