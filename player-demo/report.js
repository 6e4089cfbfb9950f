// report.js: the show report (#/report/<id>): what the encoder bought for each bitrate, and
// whether the master playlist tells players the truth about each rung. Drawn from show.json
// (measured) and master.m3u8 (declared) as plain inline SVG; the table repeats the numbers.
// A show ingested with --per-title also gets its analysis (show.json "per_title"): the probes'
// rate-quality curves, their hull and the rungs chosen on it, and why each rung moved.
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
</table></div>${perTitle(info.per_title)}`;
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

function axes(xt, yt, sx, sy, H, L, T, B, xLabel, yLabel, width = W) {
  let s = '';
  for (const v of xt.vals) s += `<line class="grid" x1="${sx(v)}" x2="${sx(v)}" y1="${T}" y2="${H - B}"/><text class="tick" x="${sx(v)}" y="${H - B + 16}" text-anchor="middle">${xt.fmt(v)}</text>`;
  if (yt) for (const v of yt.vals) s += `<line class="grid" x1="${L}" x2="${width - 14}" y1="${sy(v)}" y2="${sy(v)}"/><text class="tick" x="${L - 6}" y="${sy(v) + 4}" text-anchor="end">${yt.fmt(v)}</text>`;
  s += `<text class="axis" x="${(L + width - 14) / 2}" y="${H - 6}" text-anchor="middle">${xLabel}</text>`;
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

// ---- per-title (show.json "per_title", docs/show-json.md) ------------------------------------
// The probe encodes' PSNR-Y against their bitrate, one thin line per HLS box, on a log bitrate
// axis (where x264's CRF steps come out evenly spaced); the probes on the upper envelope of all
// the curves (the hull the chooser worked on) emphasised; each HLS rung where the chooser put
// it. Beneath, every rung: the profile's bitrate and box against the chosen ones, and why.
// Absent: nothing; "fallback": the one line saying why the profile's bitrates were kept.

const PW = 760;
const num = (v) => (v === null || v === '' || typeof v === 'boolean' ? NaN : Number(v));
const list = (v) => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []); // objects only
const boxText = (b) => (Array.isArray(b) && b.length === 2 ? `${num(b[0])}×${num(b[1])}` : '—');
const dB = (v) => (num(v) > 0 ? `${num(v).toFixed(1)} dB` : '—');

function perTitle(pt) {
  if (!pt || typeof pt !== 'object') return '';
  const head = '<h2>Per-title ladder</h2>';
  if (pt.status === 'fallback') {
    return `<section id="per-title" class="per-title" data-status="fallback">${head}
<p class="note pt-fallback">Per-title fell back to the profile's own bitrates: ${esc(pt.reason || 'no reason given')}</p></section>`;
  }
  if (pt.status !== 'chosen') return '';
  const curves = list(pt.curves).map((c, i) => ({
    i, width: num(c.width), height: num(c.height), box: Array.isArray(c.box) ? c.box : [],
    points: list(c.points).filter((p) => num(p.kbps) > 0 && num(p.psnr_y) > 0)
      .map((p) => ({ crf: num(p.crf), kbps: num(p.kbps), psnr: num(p.psnr_y), ssim: num(p.ssim), hull: p.hull === true })),
  }));
  const rungs = list(pt.rungs);
  const hls = rungs.filter((r) => r.use === 'hls');
  const sum = (key) => hls.reduce((a, r) => a + (num(r[key]) || 0), 0);
  const before = sum('profile_kbps'), after = sum('kbps');
  const d = pt.display || {}, win = (Array.isArray(pt.windows) ? pt.windows : []).map(num).filter(Number.isFinite);
  const secs = num(pt.sampled_seconds);
  const where = [
    d.width ? `quality measured at ${num(d.width)}×${num(d.height)}` : '',
    secs > 0 ? `on ${secs.toFixed(1)} s of the show${win.length ? ` (${win.length} stretch${win.length === 1 ? '' : 'es'} from ${win.map(fmtDuration).join(', ')})` : ''}` : '',
  ].filter(Boolean).join(' ');
  const change = (a, b) => {
    const pct = a > 0 && b > 0 ? Math.round(Math.abs(b / a - 1) * 100) : 0;
    return pct ? ` <span class="pt-delta">${b < a ? '−' : '+'}${pct}%</span>` : '';
  };
  return `<section id="per-title" class="per-title" data-status="chosen">${head}
<p class="note">${where ? `${esc(where[0].toUpperCase() + where.slice(1))}. ` : ''}${before > 0 ? `HLS video bitrates in all: ${before} → ${after} kbit/s${change(before, after)}.` : ''}</p>
<figure class="pt-figure">
  <figcaption>Probe encodes: PSNR-Y against video bitrate, per box <span class="legend"><i class="sw sw-line"></i>probes at one box (x264 CRF) <i class="sw sw-hull"></i>on the hull <i class="sw sw-rung"></i>chosen HLS rung</span></figcaption>
  ${ptChart(curves, hls)}
</figure>
<div class="table-wrap"><table class="pt-table">
<thead><tr><th>Rung</th><th>Video kbit/s</th><th>Box</th><th>Maxrate / buffer</th><th>PSNR-Y</th><th>Target</th><th>Profile's</th><th>Reason</th></tr></thead>
<tbody>${rungs.map((r) => {
    const pk = num(r.profile_kbps), k = num(r.kbps);
    const pb = boxText(r.profile_box), b = boxText(r.box);
    return `<tr class="pt-rung-row ${r.use === 'mp4' ? 'mp4' : 'hls'}" data-name="${esc(r.name)}"><td>${esc(r.name)}</td>
<td>${pk} → ${k}${change(pk, k)}</td><td>${pb === b ? b : `${pb} → ${b}`}</td><td>${num(r.maxrate_kbps)} / ${num(r.bufsize_kbps)}</td>
<td>${dB(r.psnr_y)}</td><td>${dB(r.target_psnr_y)}</td><td>${dB(r.profile_psnr_y)}</td><td class="pt-reason">${esc(r.reason)}</td></tr>`;
  }).join('')}</tbody>
</table></div>
</section>`;
}

// Log-scale ticks in kbit/s: 1-2-5 per decade, more steps when the range is short of a decade.
function logTicks(lo, hi) {
  let vals = [];
  for (const steps of [[1, 2, 5], [1, 2, 3, 5, 7], [1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    vals = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of steps) { const v = +(m * 10 ** e).toPrecision(6); if (v >= lo && v <= hi) vals.push(v); }
    }
    if (vals.length >= 4) break;
  }
  return { vals, fmt: (v) => (v >= 1000 ? `${+(v / 1000).toPrecision(3)}M` : `${+v.toPrecision(3)}k`) };
}

function ptChart(curves, rungs) {
  const marks = rungs.filter((r) => num(r.kbps) > 0 && num(r.psnr_y) > 0);
  const all = [...curves.flatMap((c) => c.points), ...marks.map((r) => ({ kbps: num(r.kbps), psnr: num(r.psnr_y) }))];
  if (!all.length) return '<p class="note">No probe measurements in show.json.</p>';
  const H = 380, L = 54, R = 14, T = 14, B = 44;
  const kx = all.map((p) => p.kbps), ky = all.map((p) => p.psnr);
  const kmin = Math.min(...kx), kmax = Math.max(...kx);
  const f = Math.max(1.12, Math.pow(kmax / kmin, 0.04));
  const lo = kmin / f, hi = kmax * f, span = Math.log(hi / lo);
  const sx = (v) => +(L + Math.log(v / lo) / span * (PW - L - R)).toFixed(1);
  const pad = (Math.max(...ky) - Math.min(...ky)) * 0.08 || 0.5;
  const yt = ticks(Math.min(...ky) - pad, Math.max(...ky) + pad, 6);
  const sy = (v) => +(H - B - (v - yt.lo) / (yt.hi - yt.lo) * (H - T - B)).toFixed(1);
  let s = axes(logTicks(lo, hi), yt, sx, sy, H, L, T, B, 'video bitrate (bit/s, log scale)', 'PSNR-Y (dB)', PW);
  const hull = curves.flatMap((c) => c.points.filter((p) => p.hull)).sort((a, b) => a.kbps - b.kbps);
  if (hull.length > 1) s += `<polyline class="pt-hull" points="${hull.map((p) => `${sx(p.kbps)},${sy(p.psnr)}`).join(' ')}"/>`;
  // Every dot and marker, for the labels to keep clear of.
  const xy = [...curves.flatMap((c) => c.points.map((p) => [sx(p.kbps), sy(p.psnr)])),
    ...marks.map((r) => [sx(num(r.kbps)), sy(num(r.psnr_y))])];
  const taken = [], labels = [];
  const n = curves.length;
  for (const c of curves) {
    const hue = Math.round(n > 1 ? 190 + (c.i / (n - 1)) * 110 : 200);
    const label = `${c.height}p`;
    s += `<g class="pt-curve" data-box="${esc(boxText(c.box))}" data-height="${c.height}" style="--c: hsl(${hue} 70% 66%)">`;
    if (c.points.length > 1) s += `<polyline class="pt-line" points="${c.points.map((p) => `${sx(p.kbps)},${sy(p.psnr)}`).join(' ')}"/>`;
    for (const p of c.points) {
      s += `<circle class="pt-point${p.hull ? ' pt-hull-point' : ''}" cx="${sx(p.kbps)}" cy="${sy(p.psnr)}" r="${p.hull ? 4 : 2.5}" data-crf="${p.crf}" data-kbps="${p.kbps}">` +
        `<title>${esc(boxText(c.box))} (${c.width}×${c.height}) CRF ${p.crf}: ${p.kbps} kbit/s, PSNR-Y ${p.psnr.toFixed(2)} dB${Number.isFinite(p.ssim) ? `, SSIM ${p.ssim.toFixed(4)}` : ''}${p.hull ? ', on the hull' : ''}</title></circle>`;
    }
    const end = c.points[c.points.length - 1];
    if (end) labels.push({ label, x: sx(end.kbps), y: sy(end.psnr), hue });
    s += '</g>';
  }
  for (const r of marks) {
    const x = sx(num(r.kbps)), y = sy(num(r.psnr_y));
    const name = String(r.name || '');
    const [lx, ly, anchor] = placeLabel(x, y, name.replace(/^hls-/, '').length * 6, xy, taken, PW - R);
    const o = (v) => +v.toFixed(1);
    s += `<g class="pt-rung" data-name="${esc(name)}" data-kbps="${num(r.kbps)}">` +
      `<title>${esc(name)}: ${num(r.kbps)} kbit/s at ${esc(boxText(r.box))}, predicted PSNR-Y ${num(r.psnr_y).toFixed(2)} dB (profile: ${num(r.profile_kbps)} kbit/s at ${esc(boxText(r.profile_box))})</title>` +
      `<path class="pt-mark" d="M${x} ${o(y - 5.5)}L${o(x + 5.5)} ${y}L${x} ${o(y + 5.5)}L${o(x - 5.5)} ${y}Z"/>` +
      `<text class="lbl pt-rung-label" x="${lx}" y="${ly}" text-anchor="${anchor}">${esc(name.replace(/^hls-/, ''))}</text></g>`;
  }
  for (const { label, x, y, hue } of labels) {
    const [lx, ly, anchor] = placeLabel(x, y, label.length * 6.4, xy, taken, PW - R);
    s += `<text class="lbl pt-curve-label" x="${lx}" y="${ly}" text-anchor="${anchor}" style="--c: hsl(${hue} 70% 66%)">${esc(label)}</text>`;
  }
  return `<svg viewBox="0 0 ${PW} ${H}" role="img" aria-label="Per-title probes: PSNR-Y against video bitrate per box, the hull and the chosen rungs">${s}</svg>`;
}
