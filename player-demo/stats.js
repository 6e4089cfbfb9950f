// stats.js: the engineer stats panel: which path and rule, the rendition playing and why,
// bandwidth estimate, buffer, frames, and a live chart of the last 60 s. Reads the player's
// state every 500 ms rather than listening to events, so it shows what is true, not what was
// announced. hls.js and dash.js give the same figures: dash.js through dashplayer.js's view,
// shaped like hls.js (levels, currentLevel, loadLevel, autoLevelEnabled, bandwidthEstimate).
import { mbps, rungOf } from './util.js';

const PERIOD = 500, KEEP = 120; // 120 samples of 500 ms: 60 s
const COLOR_A = '#4cc2ff', COLOR_B = '#ffb547';
const PATHS = { hlsjs: 'hls.js (MSE)', dashjs: 'dash.js (MSE, DASH)', native: 'native HLS', mp4: 'MP4 (progressive)' };

// Open by default on wide screens only; on a phone the panel sits below the video, folded.
if (matchMedia('(max-width: 760px)').matches) document.getElementById('stats').open = false;

export function startStats(lp, st) {
  const list = document.getElementById('stats-list');
  const canvas = document.getElementById('chart');
  const samples = [];
  const rows = new Map();
  list.replaceChildren();

  function row(key, value) {
    let dd = rows.get(key);
    if (!dd) {
      const dt = document.createElement('dt');
      dt.textContent = key;
      dd = document.createElement('dd');
      list.append(dt, dd);
      rows.set(key, dd);
    }
    if (dd.textContent !== value) dd.textContent = value;
  }

  function tick() {
    const v = lp.video, hls = lp.hls || lp.dashView;
    const cur = current(lp, st);
    row('Path', PATHS[lp.path] || 'asking /play…');
    row('Device rule', lp.rule || '—');
    const ad = lp.ads && lp.ads.ad;
    if (ad || (lp.ads && lp.ads.breaks.length)) {
      row('Ad', ad ? `${ad.show} ${ad.version} · ad ${ad.index + 1} of ${ad.count || 1} in ${ad.break} · ${ad.remaining.toFixed(1)} s left` : `none playing · ${lp.ads.breaks.length} break${lp.ads.breaks.length === 1 ? '' : 's'}`);
    }
    row('Rendition', cur.label);
    row('Why', why(lp, st));
    const r = st.renditions && st.renditions[cur.name];
    row('Measured', r ? `avg ${mbps(r.avg_bps)}${r.peak_bps ? ` · peak ${mbps(r.peak_bps)}` : ''} Mbps · PSNR-Y ${(+r.psnr_y).toFixed(1)} dB · SSIM ${(+r.ssim).toFixed(3)}` : '—');
    const est = ad && ad.hls ? ad.hls : hls;
    row('Estimate', est ? `${mbps(est.bandwidthEstimate)} Mbps` : '—');
    row('Buffer ahead', `${bufferAhead(v).toFixed(1)} s`);
    const pq = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : null;
    row('Frames', pq ? `${pq.droppedVideoFrames} dropped / ${pq.totalVideoFrames} decoded` : '—');
    row('Picture', v.videoWidth ? `${v.videoWidth}×${v.videoHeight}` : '—');
    row('Position', ad ? `show at ${lp.ads.primaryTime().toFixed(1)} s; ad at ${v.currentTime.toFixed(1)} / ${ad.duration.toFixed(1)} s`
      : `${v.currentTime.toFixed(1)} / ${lp.ads && lp.ads.duration ? lp.ads.duration.toFixed(1) : Number.isFinite(v.duration) ? v.duration.toFixed(1) : '—'} s`);

    samples.push({ a: cur.bps || 0, b: hls ? hls.bandwidthEstimate : null });
    if (samples.length > KEEP) samples.shift();
    const top = hls && hls.levels ? Math.max(0, ...hls.levels.map((l) => l.bitrate || 0)) : 0;
    draw(canvas, samples, top);
  }

  tick();
  const iv = setInterval(tick, PERIOD);
  return () => clearInterval(iv);
}

// The rendition on screen: hls.js knows its level; for an MP4 the catalog and show.json say;
// the native player keeps its choice to itself, only the picture size shows.
function current(lp, st) {
  const ad = lp.ads && lp.ads.ad;
  if (ad) return currentAd(ad);
  const hls = lp.hls || lp.dashView, v = lp.video;
  if (hls && hls.levels && hls.levels.length) {
    const loading = hls.currentLevel < 0;
    const i = loading ? hls.loadLevel : hls.currentLevel;
    const l = hls.levels[i];
    if (l) {
      const codecs = (l.codecs || [l.videoCodec, l.audioCodec].filter(Boolean).join(',')).replace(/,/g, ', ');
      return { name: l.name || rungOf(l.uri || l.url), bps: loading ? 0 : l.bitrate,
        label: `${l.height}p · ${mbps(l.bitrate)} Mbps · ${codecs}${loading ? ' (loading)' : ''}` };
    }
  }
  if (lp.path === 'mp4') {
    const m = st.mp4.find((x) => x.url === lp.src);
    const name = m ? m.name : (lp.src || '').split('/').pop().replace(/\.mp4$/, '');
    const r = st.renditions && st.renditions[name];
    return { name, bps: r ? r.avg_bps : 0,
      label: `${r ? `${r.height}p · ${mbps(r.avg_bps)} Mbps · ${r.codecs.replace(/,/g, ', ')}` : name}` };
  }
  return { name: '', bps: 0, label: v.videoWidth ? `${v.videoHeight}p (the browser's choice)` : '—' };
}

// The ad on screen: its own hls.js player's level (ABR runs inside the ad too), or its MP4.
function currentAd(ad) {
  const r = ad.rendition;
  if (r && r.mp4) return { name: '', bps: 0, label: `${r.mp4} (ad MP4)` };
  if (!r) return { name: '', bps: 0, label: 'ad (loading)' };
  const codecs = (r.codecs || '').replace(/,/g, ', ');
  return { name: '', bps: r.bitrate, label: `${r.height}p · ${mbps(r.bitrate)} Mbps${codecs ? ` · ${codecs}` : ''} · ad rung ${rungOf(r.uri) || r.level}` };
}

function why(lp, st) {
  const ad = lp.ads && lp.ads.ad;
  if (ad && ad.hls) {
    const h = ad.hls;
    if (!h.autoLevelEnabled) return 'ad: manual level';
    return `ad's own hls.js ABR: estimate ${mbps(h.bandwidthEstimate)} Mbps allows ≤ ${mbps(h.bandwidthEstimate * h.config.abrBandWidthFactor)} Mbps`;
  }
  if (ad) return 'ad MP4 for this device (from /play)';
  const hls = lp.hls;
  if (lp.path === 'mp4') {
    if (st.manual) return 'manual choice';
    if (st.fallback) return `rule ${st.hlsRule} said HLS, but this browser has neither MSE nor native HLS: MP4 by rule ${lp.rule}`;
    return `MP4 chosen by rule ${lp.rule}`;
  }
  if (lp.path === 'native') return `the browser's own HLS player picks the rendition (rule ${lp.rule})`;
  if (lp.path === 'dashjs') {
    const d = lp.dashView;
    if (!d) return '—';
    if (!d.autoLevelEnabled) return 'manual choice';
    const e = d.bandwidthEstimate;
    if (!e) return "auto: starting Representation, no throughput estimate yet (dash.js's ABR)";
    return `auto (dash.js: throughput and BOLA rules): estimate ${mbps(e)} Mbps allows ≤ ${mbps(e * d.safetyFactor())} Mbps`;
  }
  if (!hls) return '—';
  if (!hls.autoLevelEnabled) return 'manual choice';
  const abr = hls.abrController, bw = abr && abr.bwEstimator;
  if (bw && bw.canEstimate && !bw.canEstimate()) return 'auto: starting level, no bandwidth estimate yet';
  const e = hls.bandwidthEstimate, c = hls.config;
  let s = `auto: estimate ${mbps(e)} Mbps allows ≤ ${mbps(e * c.abrBandWidthFactor)} Mbps (≤ ${mbps(e * c.abrBandWidthUpFactor)} to step up)`;
  const cap = hls.levels[hls.autoLevelCapping];
  if (cap) s += `, capped at ${cap.height}p`;
  return s;
}

function bufferAhead(v) {
  const b = v.buffered, t = v.currentTime;
  for (let i = 0; i < b.length; i++) if (t >= b.start(i) - 0.1 && t <= b.end(i)) return b.end(i) - t;
  return 0;
}

// Bitrate as a step line (it changes at switches), the estimate as a plain line; one shared
// scale from 0 so the two can be compared by eye. The scale stops a little above the top rung:
// an estimate beyond it (tens of Mbps on a LAN) is drawn clipped at the top, since all it says
// is "every rung fits", and would otherwise squash the bitrate line flat.
function draw(canvas, samples, topRung) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 300, h = canvas.clientHeight || 80;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  let max = topRung * 1.25;
  for (const s of samples) max = Math.max(max, s.a, topRung ? 0 : s.b || 0);
  max = niceMax(max || 1e6);
  const last = samples[samples.length - 1], clipped = last && last.b > max;
  const top = 4, bottom = h - 2, x = (i) => w - (samples.length - 1 - i) * (w / (KEEP - 1));
  const y = (val) => bottom - (Math.min(val, max) / max) * (bottom - top);
  g.strokeStyle = 'rgba(255,255,255,0.08)';
  g.lineWidth = 1;
  for (const f of [0, 0.5, 1]) {
    const yy = Math.round(y(max * f)) + 0.5;
    g.beginPath(); g.moveTo(0, yy); g.lineTo(w, yy); g.stroke();
  }
  line(g, samples, x, y, 'b', COLOR_B, false);
  line(g, samples, x, y, 'a', COLOR_A, true);
  document.getElementById('chart-max').textContent =
    `· 0–${mbps(max)} Mbps over 60 s${clipped ? `; estimate ${mbps(last.b)} Mbps is off the top` : ''}`;
}

function line(g, samples, x, y, key, color, step) {
  g.strokeStyle = color;
  g.lineWidth = 2;
  g.beginPath();
  let started = false, prevY = 0;
  samples.forEach((s, i) => {
    const val = s[key];
    if (val === null || val === undefined) { started = false; return; }
    const px = x(i), py = y(val);
    if (!started) g.moveTo(px, py);
    else if (step) { g.lineTo(px, prevY); g.lineTo(px, py); } else g.lineTo(px, py);
    started = true;
    prevY = py;
  });
  g.stroke();
}

function niceMax(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 1.5, 2, 3, 4, 5, 6, 8, 10]) if (m * p >= v * 1.1) return m * p;
  return 10 * p;
}
