// DOM helpers.  Every string becomes a text node: nothing here ever parses
// markup, so bytes an attacker sent to the sensor can only ever be text.

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, String(v));
  }
  append(e, children);
  return e;
}

export function append(parent, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    parent.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return parent;
}

export function svg(tag, attrs, ...children) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  append(e, children);
  return e;
}

export function clear(e) {
  while (e.firstChild) e.removeChild(e.firstChild);
  return e;
}

// A same-origin link to a view of this dashboard: the href is always built
// here from "#/" and encoded parameters, never taken from data.
export function viewLink(view, params, ...children) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return el('a', { href: '#/' + view + (s ? '?' + s : '') }, ...children);
}

export function fmtTime(ts) {
  if (typeof ts !== 'number') return '';
  const d = new Date(ts * 1000);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function fmtNum(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US') : String(n ?? '');
}

// Control characters and U+FFFD shown visibly, so a terminal escape or a
// bidi override in a payload cannot rearrange what the reader sees.
export function visible(s) {
  return String(s ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

export function tagsOf(v) {
  if (Array.isArray(v)) return v.map(String);
  try {
    const t = JSON.parse(v || '[]');
    return Array.isArray(t) ? t.map(String) : [];
  } catch (e) {
    return [];
  }
}

export function tagList(v) {
  return tagsOf(v).map((t) => el('span', { class: 'tag' }, visible(t)));
}
