// One session: its fields, both directions as hex and text, the decoded
// protocol objects, tags and the pcap download.
import { el, append, clear, viewLink, fmtTime, visible, tagList } from './dom.js';

const RECORD_KEYS = new Set(['init_ts', 'last_ts', 'src_addr', 'src_port', 'dst_addr', 'dst_port', 'proto',
  'packets', 'bytes', 'payload', 'readable', 'server_payload', 'payload_len', 'server_payload_len', 's3path',
  'service', 'tags', 'sensor', 'community_id', 'flow_end', 'gaps', 'truncated', 'tcp_flags_seen', 'flow_key']);

function bytesOf(b64) {
  try {
    const s = atob(b64 || '');
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  } catch (e) {
    return new Uint8Array(0);
  }
}

const MAX_SHOW = 64 * 1024;

export function hexdump(b) {
  const lines = [];
  const n = Math.min(b.length, MAX_SHOW);
  for (let o = 0; o < n; o += 16) {
    const row = b.subarray(o, Math.min(n, o + 16));
    let hex = '', asc = '';
    for (let i = 0; i < 16; i++) {
      hex += i < row.length ? row[i].toString(16).padStart(2, '0') + ' ' : '   ';
      if (i === 7) hex += ' ';
      if (i < row.length) asc += row[i] >= 0x20 && row[i] < 0x7f ? String.fromCharCode(row[i]) : '.';
    }
    lines.push(o.toString(16).padStart(8, '0') + '  ' + hex + ' |' + asc + '|');
  }
  if (b.length > n) lines.push(`… ${b.length - n} more bytes (download the pcap)`);
  return lines.join('\n');
}

// UTF-8 text with every control character (terminal escapes included) and
// invalid byte shown visibly.
export function textOf(b) {
  const s = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, MAX_SHOW));
  return visible(s).replace(/\\x0a/g, '\n');
}

function dirPanel(title, b64) {
  const b = bytesOf(b64);
  const pre = el('pre', { class: 'payload' });
  const show = (mode) => {
    pre.textContent = b.length ? (mode === 'hex' ? hexdump(b) : textOf(b)) : '(nothing)';
    tText.className = mode === 'text' ? 'on' : '';
    tHex.className = mode === 'hex' ? 'on' : '';
  };
  const tText = el('button', { type: 'button', onclick: () => show('text') }, 'text');
  const tHex = el('button', { type: 'button', onclick: () => show('hex') }, 'hex');
  show('text');
  return el('div', { class: 'panel' }, el('h2', {}, `${title} (${b.length} bytes)`), el('div', { class: 'tabs' }, tText, tHex), pre);
}

function geoLine(g) {
  return [g.country ? visible(g.country) : '', g.asn ? 'AS' + Number(g.asn) : '', g.as_org ? visible(g.as_org) : '']
    .filter((x) => x).join(' · ');
}

function kv(pairs) {
  return el('dl', { class: 'kv' }, pairs.filter((p) => p).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

export async function sessionView(page, r, api) {
  const id = Number(r.arg);
  const s = await api('/api/session/' + encodeURIComponent(String(id)));
  const doc = s.doc && typeof s.doc === 'object' ? s.doc : {};
  const decoded = Object.fromEntries(Object.entries(doc).filter(([k]) => !RECORD_KEYS.has(k)));
  let dl = el('span', { class: 'muted' }, 'no pcap key');
  if (s.pcap_key) {
    // href built here from a fixed path and an encoded key (never a URL from data)
    dl = el('a', { href: '/api/pcap?key=' + encodeURIComponent(s.pcap_key), download: '', class: 'pcap' }, 'download pcap');
  }
  const src = String(s.src_addr ?? '');
  append(page, [
    el('h1', {}, `Session ${id}`),
    el('div', { class: 'grid' },
      el('div', { class: 'panel' }, el('h2', {}, 'Flow'), kv([
        ['time', `${fmtTime(s.init_ts)} → ${fmtTime(s.last_ts)}`],
        ['source', viewLink('sessions', { q: `filter src_addr = ${JSON.stringify(src)}` }, visible(`${src}:${s.src_port}`))],
        s.src_geo && s.src_geo[src] ? ['source network', geoLine(s.src_geo[src])] : null,
        ['destination', visible(`${s.dst_addr}:${s.dst_port}`)],
        ['protocol', visible(`${s.proto} / ${s.service || 'unknown'}`)],
        ['packets / bytes', `${s.packets} / ${s.bytes}`],
        ['tcp flags', visible(s.tcp_flags_seen || '')],
        ['community id', visible(s.community_id || '')],
        ['tags', el('span', {}, tagList(s.tags))],
        ['sensor', visible(s.sensor || '')],
        ['object', visible(s.s3path || '')],
        ['pcap', dl],
      ])),
      el('div', { class: 'panel' }, el('h2', {}, 'Decoded protocol fields'),
        Object.keys(decoded).length ? el('pre', { class: 'decoded' }, visible(JSON.stringify(decoded, null, 2)).replace(/\\x0a/g, '\n'))
          : el('p', { class: 'muted' }, 'none')),
      el('div', { class: 'wide' }, dirPanel('Client → sensor', s.payload)),
      el('div', { class: 'wide' }, dirPanel('Sensor → client', s.server_payload))),
  ]);
}

export { clear };
