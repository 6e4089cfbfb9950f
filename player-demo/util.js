// util.js: small formatting helpers shared by the views.

export function fmtDuration(s) {
  s = Math.max(0, Math.round(Number(s) || 0));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

// Megabits per second with one decimal, or two below 1 Mbps where one would hide the steps.
export function mbps(bps) {
  const v = (Number(bps) || 0) / 1e6;
  return v < 1 ? v.toFixed(2) : v.toFixed(1);
}

export function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The rung name is the folder after hls/ in a variant URI (vN/hls/<rung>/index.m3u8).
export function rungOf(uri) {
  const m = /(?:^|\/)hls\/([^/]+)\//.exec(uri || '');
  return m ? m[1] : '';
}

export async function getJson(url, signal) {
  const r = await fetch(url, { signal });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

// The page's one reader of show.json (docs/show-json.md). Unknown fields are ignored; a format
// newer than this page knows is refused in words, rather than drawn wrong. `base` names a
// version folder (/shows/<id>/vN) to read that version's rather than the current one.
export const SHOW_FORMAT = 1;
export async function getShow(id, signal, base = `/shows/${encodeURIComponent(id)}`) {
  const show = await getJson(`${base}/show.json`, signal);
  const format = show.format ?? 1; // shows published before the field existed
  if (!Number.isInteger(format) || format > SHOW_FORMAT) {
    throw new Error(`show.json format ${format} is newer than this page (${SHOW_FORMAT})`);
  }
  return show;
}
