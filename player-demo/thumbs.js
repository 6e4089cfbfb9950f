// thumbs.js: preview thumbnails on the seek bar. Reads a show's WebVTT thumbnails track (cues
// whose payload is `160/sheet00000.jpg#xywh=X,Y,W,H`, relative to the .vtt), and while a mouse
// hovers the seek bar, or a finger or pen drags on it, shows the tile of the time under the
// pointer as a CSS background crop of its sprite sheet, with the time. The same for every
// playback path: it only needs the bar, the show's duration and the cues (docs/player.md).
import { fmtDuration } from './util.js';

// "hh:mm:ss.mmm" or "mm:ss.mmm" in seconds.
function vttTime(s) {
  const p = s.trim().split(':').map(Number);
  return p.reduce((acc, v) => acc * 60 + v, 0);
}

// The cues of a thumbnails track: [{start, end, url (absolute), x, y, w, h}], in time order.
// Cues without a #xywh fragment name a whole image (x = y = 0, w = h = 0: its own size).
export function parseThumbsVtt(text, vttUrl) {
  const cues = [];
  for (const block of text.replace(/\r/g, '').split(/\n\n+/)) {
    const lines = block.split('\n');
    const k = lines.findIndex((l) => l.includes('-->'));
    if (k < 0 || !lines[k + 1]) continue;
    const [a, b] = lines[k].split('-->');
    const payload = lines[k + 1].trim();
    const m = /#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(payload);
    const url = new URL(payload.replace(/#.*$/, ''), vttUrl).href;
    const [x, y, w, h] = m ? m.slice(1).map(Number) : [0, 0, 0, 0];
    cues.push({ start: vttTime(a), end: vttTime(b.trim().split(/\s/)[0]), url, x, y, w, h });
  }
  return cues.sort((p, q) => p.start - q.start);
}

// The cue covering t (the last one starting at or before t), or null.
export function cueAt(cues, t) {
  let lo = 0, hi = cues.length - 1, found = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cues[mid].start <= t) { found = cues[mid]; lo = mid + 1; } else hi = mid - 1;
  }
  if (!found) return null;
  return t < found.end || found === cues[cues.length - 1] ? found : null;
}

// The smallest listed width of at least `want` px (else the largest), from show.json's
// "thumbnails" list.
export function pickThumbs(list, want = 160) {
  const sorted = (list || []).filter((t) => t && t.vtt).sort((a, b) => a.width - b.width);
  return sorted.find((t) => t.width >= want) || sorted[sorted.length - 1] || null;
}

// Loads `vttUrl` and attaches the preview to `bar` (the seek bar element). duration() is the
// show's length in seconds; seek(t) is called when a touch or pen drag ends on the bar (a mouse
// seeks with the bar's own click). Returns {cues, remove()}.
export async function attachThumbs({ bar, vttUrl, duration, seek, signal }) {
  const r = await fetch(vttUrl, { signal });
  if (!r.ok) throw new Error(`${vttUrl}: HTTP ${r.status}`);
  const cues = parseThumbsVtt(await r.text(), new URL(vttUrl, location.href).href);
  if (!cues.length) throw new Error(`${vttUrl}: no cues`);
  const tip = document.createElement('div');
  tip.id = 'thumb';
  tip.className = 'thumb';
  tip.hidden = true;
  tip.setAttribute('aria-hidden', 'true');
  const img = document.createElement('div');
  img.id = 'thumb-img';
  img.className = 'thumb-img';
  const label = document.createElement('span');
  label.className = 'thumb-time';
  tip.append(img, label);
  bar.append(tip);
  bar.classList.add('has-thumbs');
  // Sheets are fetched once each, before the first hover, so that a tile shows at once.
  const preload = [...new Set(cues.map((c) => c.url))].slice(0, 4).map((u) => Object.assign(new Image(), { src: u }));

  let dragging = null; // the pointerId of a touch or pen drag in progress
  const timeAt = (clientX) => {
    const b = bar.getBoundingClientRect(), d = duration();
    const f = Math.max(0, Math.min(1, (clientX - b.left) / b.width));
    return { t: f * d, px: f * b.width, width: b.width, ok: d > 0 };
  };
  function showAt(clientX) {
    const p = timeAt(clientX);
    const c = p.ok ? cueAt(cues, p.t) : null;
    if (!c) { tip.hidden = true; return p; }
    img.style.backgroundImage = `url("${c.url}")`;
    img.style.backgroundPosition = `${-c.x}px ${-c.y}px`;
    if (c.w && c.h) { img.style.width = `${c.w}px`; img.style.height = `${c.h}px`; }
    img.dataset.start = String(c.start);
    label.textContent = fmtDuration(p.t);
    tip.hidden = false;
    // Centred on the pointer, kept inside the bar's width.
    const w = c.w || tip.offsetWidth;
    tip.style.left = `${Math.max(0, Math.min(p.width - w, p.px - w / 2))}px`;
    tip.dataset.time = p.t.toFixed(3);
    return p;
  }
  const hide = () => { tip.hidden = true; };
  const ac = new AbortController();
  const on = (type, fn) => bar.addEventListener(type, fn, { signal: ac.signal });
  signal.addEventListener('abort', () => ac.abort(), { once: true });
  on('pointermove', (e) => {
    if (e.pointerType === 'mouse' || dragging === e.pointerId) showAt(e.clientX);
  });
  on('pointerdown', (e) => {
    showAt(e.clientX);
    if (e.pointerType === 'mouse') return;
    // A finger or pen: the preview follows the drag until it lifts, even off the bar.
    dragging = e.pointerId;
    bar.setPointerCapture(e.pointerId);
  });
  on('pointerup', (e) => {
    if (dragging !== e.pointerId) return;
    dragging = null;
    const p = timeAt(e.clientX);
    hide();
    if (p.ok) seek(p.t);
  });
  on('pointercancel', (e) => { if (dragging === e.pointerId) { dragging = null; hide(); } });
  on('pointerleave', (e) => { if (e.pointerType === 'mouse') hide(); });
  return {
    cues,
    remove() { ac.abort(); tip.remove(); bar.classList.remove('has-thumbs'); preload.length = 0; },
  };
}
