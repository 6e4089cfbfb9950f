// report.js: the show report (#/report/<id>): what the encoder bought for each bitrate, and
// whether the master playlist tells players the truth about each rung. Drawn from show.json
// (measured) and master.m3u8 (declared) as plain inline SVG; the table repeats the numbers.
import { esc, fmtDuration, mbps, rungOf, getShow } from './util.js';

export function openReport(id, root, catalogP) {
  const ac = new AbortController();
  const enc = encodeURIComponent(id);
  root.innerHTML = '<p class="note">Loading the report…</p>';
  (async () => {
    let info, master;
    try {
      [info, master] = await Promise.all([
        getShow(id, ac.signal),
        fetch(`/shows/${enc}/master.m3u8`, { signal: ac.signal }).then((r) => {
          if (!r.ok) throw new Error(`master.m3u8: HTTP ${r.status}`);
          return r.text();
        }),
      ]);
    } catch (e) {
      if (ac.signal.aborted) return;
      root.innerHTML = /HTTP 404/.test(e.message)
        ? '<p class="message">This show is not published.</p>'
        : `<p class="message">The report could not be loaded (${esc(e.message)}).</p>`;
      return;
    }
    if (ac.signal.aborted) return;
    document.title = `Report · ${info.title || id} · Ladder`;
    root.innerHTML = render(id, info, parseMaster(master));
  })();
  return () => ac.abort();
}

// Variant streams only (I-frame playlists carry their URI as an attribute and are skipped).
export function parseMaster(text) {
  const out = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const tag = lines[i];
    if (!tag.startsWith('#EXT-X-STREAM-INF:')) continue;
    const attr = (k) => { const m = new RegExp(`[:,]${k}=("[^"]*"|[^,]*)`).exec(tag); return m ? m[1].replace(/"/g, '') : ''; };
    let uri = '';
    while (++i < lines.length && (!lines[i].trim() || lines[i].startsWith('#')));
    if (i < lines.length) uri = lines[i].trim();
    out.push({ name: rungOf(uri), uri, bandwidth: +attr('BANDWIDTH'), average: +attr('AVERAGE-BANDWIDTH') || 0,
      resolution: attr('RESOLUTION'), codecs: attr('CODECS') });
  }
  return out;
}

function render(id, info, variants) {
  const rs = info.renditions || [];
  const hls = rs.filter((r) => r.use === 'hls'), mp4 = rs.filter((r) => r.use === 'mp4');
  const declared = Object.fromEntries(variants.map((v) => [v.name, v]));
  const paired = hls.filter((r) => declared[r.name]).sort((a, b) => declared[b.name].bandwidth - declared[a.name].bandwidth);
  const pts = (key) => [
    ...hls.map((r) => ({ x: r.avg_bps, y: +r[key], label: `${r.height}p`, cls: 'hls', tip: r.name })),
    ...mp4.map((r) => ({ x: r.avg_bps, y: +r[key], label: `${r.height}p`, cls: 'mp4', tip: r.name })),
  ].filter((p) => Number.isFinite(p.y) && p.x > 0);
  const src = info.source || {};
  const short = (n) => n.replace(/^(hls|mp4)-/, '').replace(/-(\d+)$/, ' $1k');
  return `
<div class="report-head">
  <div>
    <h1>${esc(info.title || id)}</h1>
    <p class="note">${esc(id)} · ${fmtDuration(info.duration)} · v${esc(info.version)}${info.created ? ` · published ${esc(info.created)}` : ''}${src.width ? ` · source ${src.width}×${src.height}, ${(+src.fps || 0).toFixed(2)} fps${src.has_audio ? ', audio' : ''}` : ''}</p>
  </div>
  <a class="btn" href="#/watch/${encodeURIComponent(id)}">Watch</a>
</div>
<div class="charts">
  <figure>
    <figcaption>Quality against bitrate: PSNR-Y <span class="legend"><i class="sw sw-a"></i>HLS rung <i class="sw sw-b"></i>MP4 fallback</span></figcaption>
    ${scatter(pts('psnr_y'), 'PSNR-Y (dB)', 1)}
  </figure>
  <figure>
    <figcaption>Quality against bitrate: SSIM <span class="legend"><i class="sw sw-a"></i>HLS rung <i class="sw sw-b"></i>MP4 fallback</span></figcaption>
    ${scatter(pts('ssim'), 'SSIM', 3)}
  </figure>
  <figure>
    <figcaption>Peak: declared BANDWIDTH against measured <span class="legend"><i class="sw sw-d"></i>master.m3u8 <i class="sw sw-a"></i>show.json peak_bps</span></figcaption>
    ${bars(paired.map((r) => ({ label: short(r.name), a: declared[r.name].bandwidth, b: r.peak_bps })), 'declared', 'measured peak')}
  </figure>
  <figure>
    <figcaption>Average: declared AVERAGE-BANDWIDTH against measured <span class="legend"><i class="sw sw-d"></i>master.m3u8 <i class="sw sw-a"></i>show.json avg_bps</span></figcaption>
    ${bars(paired.map((r) => ({ label: short(r.name), a: declared[r.name].average, b: r.avg_bps })), 'declared', 'measured average')}
  </figure>
</div>
<div class="table-wrap"><table>
<thead><tr><th>Rendition</th><th>Size</th><th>Codecs</th><th>Target</th><th>BANDWIDTH</th><th>Peak</th><th>AVERAGE-BW</th><th>Average</th><th>PSNR-Y</th><th>SSIM</th></tr></thead>
<tbody>${[...paired, ...hls.filter((r) => !declared[r.name]), ...mp4].map((r) => {
    const d = declared[r.name];
    const m = (v) => (v ? `${mbps(v)} Mbps` : '—');
    return `<tr class="${r.use}"><td>${esc(r.name)}</td><td>${r.width}×${r.height}</td><td>${esc(r.codecs)}</td><td>${r.target_kbps} kb/s</td>
<td>${m(d && d.bandwidth)}</td><td>${m(r.peak_bps)}</td><td>${m(d && d.average)}</td><td>${m(r.avg_bps)}</td>
<td>${Number.isFinite(+r.psnr_y) ? `${(+r.psnr_y).toFixed(2)} dB` : '—'}</td><td>${Number.isFinite(+r.ssim) ? (+r.ssim).toFixed(4) : '—'}</td></tr>`;
  }).join('')}</tbody>
</table></div>`;
}

// ---- SVG ------------------------------------------------------------------------------------

const W = 460;

function ticks(lo, hi, n = 5) {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / n, p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw);
  const a = Math.floor(lo / step + 1e-9) * step, b = Math.ceil(hi / step - 1e-9) * step;
  const dec = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (step / p === 2.5 ? 1 : 0));
  const vals = [];
  for (let v = a; v <= b + step / 2; v += step) vals.push(+v.toFixed(10));
  return { lo: a, hi: b, vals, fmt: (v) => v.toFixed(dec) };
}

function axes(xt, yt, sx, sy, H, L, T, B, xLabel, yLabel) {
  let s = '';
  for (const v of xt.vals) s += `<line class="grid" x1="${sx(v)}" x2="${sx(v)}" y1="${T}" y2="${H - B}"/><text class="tick" x="${sx(v)}" y="${H - B + 16}" text-anchor="middle">${xt.fmt(v)}</text>`;
  if (yt) for (const v of yt.vals) s += `<line class="grid" x1="${L}" x2="${W - 14}" y1="${sy(v)}" y2="${sy(v)}"/><text class="tick" x="${L - 6}" y="${sy(v) + 4}" text-anchor="end">${yt.fmt(v)}</text>`;
  s += `<text class="axis" x="${(L + W - 14) / 2}" y="${H - 6}" text-anchor="middle">${xLabel}</text>`;
  if (yLabel) s += `<text class="axis" transform="translate(13 ${(14 + H - B) / 2}) rotate(-90)" text-anchor="middle">${yLabel}</text>`;
  return s;
}

function scatter(points, yLabel, dec) {
  if (!points.length) return '<p class="note">No measurements in show.json.</p>';
  const H = 280, L = 54, R = 14, T = 14, B = 44;
  const xs = points.map((p) => p.x / 1e6), ys = points.map((p) => p.y);
  const xt = ticks(0, Math.max(...xs) * 1.05);
  const pad = (Math.max(...ys) - Math.min(...ys)) * 0.08 || Math.pow(10, -dec);
  const yt = ticks(Math.min(...ys) - pad, Math.max(...ys) + pad, 5);
  const sx = (v) => +(L + (v - xt.lo) / (xt.hi - xt.lo) * (W - L - R)).toFixed(1);
  const sy = (v) => +(H - B - (v - yt.lo) / (yt.hi - yt.lo) * (H - T - B)).toFixed(1);
  // The HLS ladder joined in bitrate order: a rung below the line of its neighbours is one
  // that spends bits without buying quality.
  const ladder = points.filter((p) => p.cls === 'hls').sort((a, b) => a.x - b.x)
    .map((p) => `${sx(p.x / 1e6)},${sy(p.y)}`).join(' ');
  let s = axes(xt, yt, sx, sy, H, L, T, B, 'measured average bitrate (Mbps)', yLabel);
  s += `<polyline class="ladder" points="${ladder}"/>`;
  const xy = points.map((p) => [sx(p.x / 1e6), sy(p.y)]);
  const taken = [];
  points.forEach((p, i) => {
    const [x, y] = xy[i];
    s += `<circle class="pt-${p.cls}" cx="${x}" cy="${y}" r="4.5"><title>${esc(p.tip)}: ${mbps(p.x)} Mbps, ${p.y.toFixed(dec + 1)}</title></circle>`;
    const [lx, ly, anchor] = placeLabel(x, y, p.label.length * 6.4, xy, taken, W - R);
    s += `<text class="lbl lbl-${p.cls}" x="${lx}" y="${ly}" text-anchor="${anchor}">${p.label}</text>`;
  });
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${yLabel} against measured average bitrate">${s}</svg>`;
}

// Greedy: the first spot around the point that overlaps no label placed so far and no point;
// rungs of one height sit close together and would otherwise print on top of each other.
function placeLabel(x, y, w, pts, taken, right) {
  const spots = [[7, -6, 0], [7, 13, 0], [-7, -6, 1], [-7, 13, 1], [0, -10, 0.5], [0, 20, 0.5]];
  const box = ([dx, dy, a]) => { const l = x + dx - a * w; return [l, y + dy - 10, l + w, y + dy + 1]; };
  const hit = (b, c) => b[0] < c[2] && c[0] < b[2] && b[1] < c[3] && c[1] < b[3];
  const free = (b) => b[2] <= right && !taken.some((t) => hit(b, t)) &&
    !pts.some(([px, py]) => (px !== x || py !== y) && hit(b, [px - 4, py - 4, px + 4, py + 4]));
  const spot = spots.find((sp) => free(box(sp))) || spots[0];
  taken.push(box(spot));
  return [+(x + spot[0]).toFixed(1), +(y + spot[1]).toFixed(1), ['start', 'middle', 'end'][spot[2] * 2]];
}

function bars(rows, aName, bName) {
  if (!rows.length) return '<p class="note">No HLS rungs to compare.</p>';
  const rowH = 28, L = 92, T = 8, B = 40, H = T + rows.length * rowH + B;
  const xt = ticks(0, Math.max(...rows.map((r) => Math.max(r.a || 0, r.b || 0))) / 1e6 * 1.02);
  const sx = (v) => +(L + (v - xt.lo) / (xt.hi - xt.lo) * (W - L - 14)).toFixed(1);
  let s = axes(xt, null, sx, null, H, L, T, B, 'bitrate (Mbps)', '');
  rows.forEach((r, i) => {
    const y = T + i * rowH;
    s += `<text class="tick" x="${L - 6}" y="${y + rowH / 2 + 3}" text-anchor="end">${esc(r.label)}</text>`;
    s += `<rect class="bar-d" x="${L}" y="${y + 3}" width="${Math.max(0, sx((r.a || 0) / 1e6) - L)}" height="10"><title>${esc(r.label)} ${aName}: ${mbps(r.a)} Mbps</title></rect>`;
    s += `<rect class="bar-m" x="${L}" y="${y + 14}" width="${Math.max(0, sx((r.b || 0) / 1e6) - L)}" height="10"><title>${esc(r.label)} ${bName}: ${mbps(r.b)} Mbps</title></rect>`;
  });
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${aName} against ${bName} bitrate per rung">${s}</svg>`;
}
