// mitsu dashboard: hash router, views and live updates.  Data only ever
// reaches the page through dom.js (text nodes), never through innerHTML.
import { el, append, svg, clear, viewLink, fmtTime, fmtNum, visible, tagList } from './dom.js';
import { sessionView } from './session.js';

const main = document.getElementById('main');
const live = document.getElementById('live');
let renderSeq = 0;
let lastUpdate = null;

export async function api(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  let body = null;
  try {
    body = await r.json();
  } catch (e) {
    body = { error: 'HTTP ' + r.status };
  }
  if (!r.ok) {
    const err = new Error((body && body.error) || 'HTTP ' + r.status);
    err.body = body;
    throw err;
  }
  return body;
}

function route() {
  const h = location.hash.replace(/^#\/?/, '');
  const qi = h.indexOf('?');
  const path = qi < 0 ? h : h.slice(0, qi);
  const params = new URLSearchParams(qi < 0 ? '' : h.slice(qi + 1));
  const [view, arg] = path.split('/');
  return { view: view || 'overview', arg, params };
}

async function render() {
  const seq = ++renderSeq;
  const r = route();
  for (const a of document.querySelectorAll('nav a')) {
    a.classList.toggle('active', a.dataset.view === r.view || (r.view === 'session' && a.dataset.view === 'sessions'));
  }
  const views = { overview, ports, sessions, session: sessionView, alerts, tokens };
  const fn = views[r.view] || notFound;
  const page = el('div');
  try {
    await fn(page, r, api);
  } catch (e) {
    append(page, [el('p', { class: 'error' }, 'Could not load: ', e.message)]);
  }
  if (seq !== renderSeq) return; // a newer navigation won
  clear(main).appendChild(page);
}

function notFound(page) {
  append(page, [el('h1', {}, 'Not found'), viewLink('overview', {}, 'Back to the overview')]);
}

export function geoText(g) {
  const parts = [];
  if (g.country) parts.push(visible(g.country));
  if (g.asn) parts.push('AS' + Number(g.asn));
  if (g.as_org) parts.push(visible(g.as_org));
  return parts.join(' · ');
}

function card(k, v) {
  return el('div', { class: 'card' }, el('div', { class: 'v' }, fmtNum(v)), el('div', { class: 'k' }, k));
}

// A two-column "top N" table with proportional bars; first column may link.
function topTable(title, rows, link, label, third) {
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const body = rows.map((r) => {
    const bar = el('div', { class: 'bar' });
    bar.style.width = Math.max(1, Math.round((r[1] / max) * 100)) + '%';
    const name = r[0] === null || r[0] === '' ? '(none)' : visible(r[0]);
    return el('tr', {},
      el('td', { class: 'mono' }, link ? link(r[0], name) : name),
      el('td', { class: 'num' }, fmtNum(r[1])),
      el('td', {}, bar),
      r.length > 2 ? el('td', { class: 'num muted' }, fmtNum(r[2])) : null);
  });
  return el('div', { class: 'panel' }, el('h2', {}, title),
    rows.length ? el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, label || ''), el('th', {}, 'flows'), el('th', {}, ''),
      rows[0] && rows[0].length > 2 ? el('th', {}, third || 'ports') : null)), el('tbody', {}, body))
      : el('p', { class: 'muted' }, 'nothing yet'));
}

function hourChart(rows) {
  const W = 960, H = 180, pad = 28;
  const s = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
  if (!rows.length) return el('p', { class: 'muted' }, 'no flows yet');
  const last = rows[rows.length - 1][0], n = 48, first = last - (n - 1) * 3600;
  const byHour = new Map(rows.map((r) => [r[0], r[1]]));
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const bw = (W - pad) / n;
  s.appendChild(svg('line', { x1: pad, y1: H - 16, x2: W, y2: H - 16 }));
  s.appendChild(svg('text', { x: 0, y: 12 }, fmtNum(max)));
  for (let i = 0; i < n; i++) {
    const t = first + i * 3600, v = byHour.get(t) || 0;
    const h = Math.round(((H - 30) * v) / max);
    const r = svg('rect', { class: 'b', x: pad + i * bw + 1, y: H - 16 - h, width: Math.max(1, bw - 2), height: h });
    r.appendChild(svg('title', {}, `${fmtTime(t)}: ${v} flows`));
    s.appendChild(r);
    if (i % Math.max(1, Math.ceil(n / 8)) === 0) {
      s.appendChild(svg('text', { x: pad + i * bw, y: H - 2 }, fmtTime(t).slice(5, 16)));
    }
  }
  return s;
}

async function overview(page) {
  const st = await api('/api/stats');
  const t = (st.totals && st.totals[0]) || {};
  const portLink = (p, name) => viewLink('sessions', { q: `filter dst_port = ${Number(p)}` }, name);
  const geo = st.geo || {};
  const srcLink = (a, name) => el('span', {}, viewLink('sessions', { q: `filter src_addr = ${JSON.stringify(String(a))}` }, name),
    geo[a] ? el('span', { class: 'muted geo' }, ' ' + geoText(geo[a])) : null);
  const svcLink = (s, name) => viewLink('sessions', { q: `filter service = ${JSON.stringify(String(s ?? ''))}` }, name);
  const tagLink = (s, name) => viewLink('sessions', { q: `filter tags like ${JSON.stringify(String(s))}` }, name);
  append(page, [
    el('h1', {}, 'Overview'),
    el('div', { class: 'cards' }, card('flows', t.flows || 0), card('sources', t.sources || 0),
      card('ports probed', t.ports || 0), card('alerts', ((st.alert_totals || [])[0] || {}).alerts || 0)),
    el('div', { class: 'grid' },
      el('div', { class: 'panel wide' }, el('h2', {}, 'Flows per hour (last 48 h of data)'), hourChart(st.per_hour || [])),
      topTable('Top ports', st.top_ports || [], portLink, 'port'),
      topTable('Top sources', st.top_sources || [], srcLink, 'source'),
      topTable('Top services', st.top_services || [], svcLink, 'service'),
      topTable('Top tags', st.top_tags || [], tagLink, 'tag'),
      el('div', { class: 'panel wide' }, el('h2', {}, 'Recent alerts'), alertTable(st.recent_alerts || [], false))),
  ]);
}

// ---- port map: 65536 ports as a 256 x 256 heat grid ----

function heat(v, max) {
  if (!v) return [13, 15, 18];
  const x = Math.log(1 + v) / Math.log(1 + max); // 0..1
  const stops = [[60, 40, 90], [200, 60, 60], [240, 168, 48], [255, 250, 200]];
  const p = x * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(p)), f = p - i;
  return stops[i].map((c, k) => Math.round(c + (stops[i + 1][k] - c) * f));
}

async function ports(page, r) {
  const proto = r.params.get('proto') === 'udp' ? 'udp' : 'tcp';
  const data = await api('/api/ports');
  const rows = (data.ports || []).filter((x) => x[0] === proto).map((x) => x.slice(1));
  const counts = new Map(rows.map((x) => [x[0], x]));
  const max = Math.max(1, ...rows.map((x) => x[1]));
  const C = 3, N = 256;
  const cv = el('canvas', { class: 'ports', width: N * C, height: N * C, 'aria-label': 'port heat map' });
  const ctx = cv.getContext('2d');
  const img = ctx.createImageData(N * C, N * C);
  for (let port = 0; port < 65536; port++) {
    const rgb = heat(counts.has(port) ? counts.get(port)[1] : 0, max);
    const x0 = (port % N) * C, y0 = Math.floor(port / N) * C;
    for (let dy = 0; dy < C; dy++) for (let dx = 0; dx < C; dx++) {
      const o = ((y0 + dy) * N * C + x0 + dx) * 4;
      img.data[o] = rgb[0]; img.data[o + 1] = rgb[1]; img.data[o + 2] = rgb[2]; img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  const hint = el('div', { class: 'hint mono' }, 'hover a cell: port, flows, sources; click: its sessions');
  const portAt = (ev) => {
    const b = cv.getBoundingClientRect();
    const x = Math.floor(((ev.clientX - b.left) * cv.width) / b.width / C);
    const y = Math.floor(((ev.clientY - b.top) * cv.height) / b.height / C);
    return Math.min(65535, Math.max(0, y * N + x));
  };
  cv.addEventListener('mousemove', (ev) => {
    const p = portAt(ev), c = counts.get(p);
    clear(hint).appendChild(document.createTextNode(`port ${p}/${proto}: ${c ? c[1] : 0} flows, ${c ? c[2] : 0} sources`));
  });
  cv.addEventListener('click', (ev) => {
    location.hash = '#/sessions?' + new URLSearchParams({ q: `filter dst_port = ${portAt(ev)} and proto = "${proto}"` });
  });
  const legend = el('div', { class: 'legend' }, 'fewer');
  for (const v of [1, Math.ceil(max / 100), Math.ceil(max / 10), max]) {
    const sw = el('span', { class: 'sw' });
    const c = heat(v, max);
    sw.style.background = `rgb(${c[0]},${c[1]},${c[2]})`;
    legend.appendChild(sw);
  }
  legend.appendChild(document.createTextNode(`more (max ${fmtNum(max)} flows on one port)`));
  const top = [...rows].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 25);
  append(page, [
    el('h1', {}, 'Port map'),
    el('div', { class: 'tabs' },
      viewLink('ports', { proto: 'tcp' }, el('button', { class: proto === 'tcp' ? 'on' : '' }, 'TCP')),
      viewLink('ports', { proto: 'udp' }, el('button', { class: proto === 'udp' ? 'on' : '' }, 'UDP'))),
    el('p', { class: 'muted' }, `Each cell is one ${proto.toUpperCase()} port, 256 per row (row r holds ports 256·r … 256·r+255); ${fmtNum(rows.length)} of 65536 ports were probed.`),
    el('div', { class: 'portmap' },
      el('div', {}, cv, legend, hint),
      topTable('Most probed', top, (p, name) => viewLink('sessions', { q: `filter dst_port = ${Number(p)} and proto = "${proto}"` }, name), 'port', 'sources')),
  ]);
}

// ---- sessions ----

const SESSION_COLS = [
  ['init_ts', 'time'], ['src_addr', 'source'], ['src_port', 'sport'], ['dst_addr', 'destination'], ['dst_port', 'port'],
  ['proto', 'proto'], ['service', 'service'], ['tags', 'tags'], ['packets', 'pkts'], ['bytes', 'bytes'],
  ['payload_len', 'payload'], ['readable', 'first bytes'],
];

function showQueryError(text, body) {
  const box = el('div', { class: 'error' }, visible(body.error || 'error'));
  if (body.line && body.col) {
    const line = text.split('\n')[body.line - 1] || '';
    box.appendChild(document.createTextNode('\n' + visible(line) + '\n' + ' '.repeat(Math.max(0, body.col - 1)) + '^'));
  }
  return box;
}

async function sessions(page, r) {
  const q = r.params.get('q') || '';
  const sort = r.params.get('sort') || '-init_ts';
  const offset = Math.max(0, parseInt(r.params.get('offset') || '0', 10) || 0);
  const limit = 50;
  const go = (p) => {
    location.hash = '#/sessions?' + new URLSearchParams({ q, sort, offset: String(offset), ...p });
  };
  const input = el('input', { type: 'search', name: 'q', spellcheck: 'false', autocomplete: 'off',
    placeholder: 'filter dst_port = 22 and readable like /SSH/   ·   stats count(*) as n by dst_port | sort n desc', 'aria-label': 'query' });
  input.value = q;
  const form = el('form', { class: 'query', onsubmit: (ev) => { ev.preventDefault(); go({ q: input.value, offset: '0' }); } },
    input, el('button', { type: 'submit' }, 'Search'));
  append(page, [el('h1', {}, 'Sessions'), form]);
  let res;
  try {
    res = await api('/api/sessions?' + new URLSearchParams({ q, sort, offset: String(offset), limit: String(limit) }));
  } catch (e) {
    page.appendChild(e.body ? showQueryError(q, e.body) : el('p', { class: 'error' }, e.message));
    return;
  }
  const table = res.mode === 'table' ? genericTable(res) : sessionTable(res, sort, go);
  const pager = el('div', { class: 'pager' },
    el('button', { disabled: offset === 0, onclick: () => go({ offset: String(Math.max(0, offset - limit)) }) }, '← newer'),
    el('span', { class: 'muted' }, res.rows.length ? `rows ${offset + 1}–${offset + res.rows.length}` : 'no rows'),
    el('button', { disabled: !res.more, onclick: () => go({ offset: String(offset + limit) }) }, 'older →'));
  append(page, [el('div', { class: 'panel' }, table, pager)]);
}

function sessionTable(res, sort, go) {
  const idx = Object.fromEntries(res.columns.map((c, i) => [c, i]));
  const desc = sort.startsWith('-');
  const sortCol = sort.replace(/^-/, '').replace(/:.*/, '');
  const head = el('tr', {}, SESSION_COLS.map(([c, label]) => {
    const th = el('th', { class: 'sortable' + (c === sortCol ? ' sorted' : ''), title: 'sort by ' + c }, label, c === sortCol ? (desc ? ' ▼' : ' ▲') : '');
    th.addEventListener('click', () => go({ sort: c === sortCol && desc ? c : '-' + c, offset: '0' }));
    return th;
  }));
  const body = res.rows.map((row) => {
    const id = Number(row[idx.id]);
    const tr = el('tr', { class: 'click', 'data-id': id });
    tr.addEventListener('click', () => { location.hash = '#/session/' + id; });
    for (const [c] of SESSION_COLS) {
      const v = row[idx[c]];
      if (c === 'init_ts') tr.appendChild(el('td', { class: 'mono' }, viewLink('session/' + id, {}, fmtTime(v))));
      else if (c === 'tags') tr.appendChild(el('td', {}, tagList(v)));
      else if (typeof v === 'number') tr.appendChild(el('td', { class: 'num' }, String(v)));
      else tr.appendChild(el('td', { class: 'mono clip' + (c === 'readable' ? ' readable' : '') }, visible(v)));
    }
    return tr;
  });
  return el('table', { class: 'sessions' }, el('thead', {}, head), el('tbody', {}, body));
}

function genericTable(res) {
  return el('table', {}, el('thead', {}, el('tr', {}, res.columns.map((c) => el('th', {}, visible(c))))),
    el('tbody', {}, res.rows.map((row) => el('tr', {}, row.map((v) =>
      el('td', { class: typeof v === 'number' ? 'num' : 'mono clip' }, typeof v === 'number' ? String(v) : visible(v)))))));
}

// ---- alerts and tokens ----

function alertTable(rows, full) {
  if (!rows.length) return el('p', { class: 'muted' }, 'no alerts');
  const cols = full ? ['ts', 'kind', 'src_addr', 'src_port', 'dst_addr', 'dst_port', 'proto', 'token_id', 'tag', 'summary']
    : ['ts', 'kind', 'src_addr', 'dst_port', 'summary'];
  return el('table', {}, el('thead', {}, el('tr', {}, cols.map((c) => el('th', {}, c)))),
    el('tbody', {}, rows.map((a) => el('tr', {}, cols.map((c) => {
      const v = a[c];
      if (c === 'ts') return el('td', { class: 'mono' }, fmtTime(v));
      if (c === 'src_addr' && v) return el('td', { class: 'mono' }, viewLink('sessions', { q: `filter src_addr = ${JSON.stringify(String(v))}` }, visible(v)));
      return el('td', { class: typeof v === 'number' ? 'num' : 'mono' }, v === null ? '' : visible(v));
    })))));
}

async function alerts(page) {
  const res = await api('/api/alerts?limit=500');
  append(page, [el('h1', {}, 'Alerts'), el('div', { class: 'panel' }, alertTable(res.rows, true))]);
}

async function tokens(page) {
  const res = await api('/api/tokens');
  const cols = ['id', 'kind', 'value', 'user', 'note', 'created', 'minted_for', 'hits', 'last_hit'];
  append(page, [el('h1', {}, 'Tokens'),
    el('div', { class: 'panel' }, res.rows.length
      ? el('table', {}, el('thead', {}, el('tr', {}, cols.map((c) => el('th', {}, c)))),
        el('tbody', {}, res.rows.map((t) => el('tr', {}, cols.map((c) => {
          const v = t[c];
          if (c === 'created' || c === 'last_hit') return el('td', { class: 'mono' }, fmtTime(v));
          return el('td', { class: typeof v === 'number' ? 'num' : 'mono clip' }, v === null ? '' : visible(v));
        })))))
      : el('p', { class: 'muted' }, 'no honeytokens registered ("mitsu token" creates them)'))]);
}

// ---- live updates ----

function startEvents() {
  if (!window.EventSource) return;
  const es = new EventSource('/api/events');
  es.addEventListener('open', () => { live.className = 'live on'; live.textContent = 'live'; });
  es.addEventListener('error', () => { live.className = 'live off'; live.textContent = 'reconnecting'; });
  es.addEventListener('update', (ev) => {
    let d = {};
    try { d = JSON.parse(ev.data); } catch (e) { return; }
    lastUpdate = d;
    live.textContent = `live · +${d.new_flows || 0} flows`;
    live.classList.remove('flash');
    void live.offsetWidth;
    live.classList.add('flash');
    scheduleRefresh();
  });
}

// Views that show the newest data refresh at most every REFRESH_MS while
// flows arrive; a page being read (a session, an older page, a query being
// typed) is never yanked away.
const REFRESH_MS = 5000;
let lastRefresh = 0, refreshTimer = null;
function scheduleRefresh() {
  if (refreshTimer) return;
  const wait = Math.max(0, lastRefresh + REFRESH_MS - Date.now());
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    lastRefresh = Date.now();
    const r = route();
    if (r.view === 'overview' || r.view === 'alerts' || r.view === 'ports' ||
        (r.view === 'sessions' && !(parseInt(r.params.get('offset') || '0', 10) > 0) && document.activeElement?.name !== 'q')) render();
  }, wait);
}

window.addEventListener('hashchange', render);
render();
startEvents();
export { lastUpdate };
