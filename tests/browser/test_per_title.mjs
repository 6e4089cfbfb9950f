// test_per_title.mjs: the show report's per-title section (player-demo/report.js, show.json
// "per_title", docs/show-json.md), in Debian's Chromium against `ladder serve`. No per-title
// ingest runs here: the test makes its own small library from the fixture's `demo` (its
// show.json, master and poster; the report reads nothing else) as three shows, whose show.json
// it writes: `pt-chosen` with a per_title block it builds from a model of x264 probes at the
// fixture ladder's four HLS boxes (hull flags worked out as the chooser defines them: no other
// box gives more PSNR-Y at the point's bitrate), `pt-fallback` with the fallback line, and
// `pt-none` without the key. Each show.json is first checked against docs/show.schema.json
// (python3-jsonschema), as are copies the schema must refuse. Then the page must draw one
// .pt-curve per curve with its points in order and exactly the hull points marked, one .pt-rung
// per HLS rung that has a prediction, every mark where a log-bitrate / linear-PSNR axis puts it
// (marks further right as kbps grow), a table row per rung; the fallback's one line, escaped;
// and nothing for a show without per_title. About 5 s.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ARTIFACTS, LIBRARY, ROOT, foreignRequests, launchBrowser, newPage, startOrigin } from './lib.mjs';

const r3 = (v) => Math.round(v * 1000) / 1000;
const DISPLAY = { width: 640, height: 360 };
const CRFS = [41, 36, 31, 26, 21]; // kbps ascending

// A probe's figures: bitrate from the picture area and CRF; PSNR-Y at the display size from
// the bits per pixel, capped by what upscaling a small box loses (the two errors add as MSE).
// Tuned so that each box is the best somewhere: the hull runs through all four curves.
function probe(w, h, crf) {
  const area = w * h, full = DISPLAY.width * DISPLAY.height;
  const kbps = 900 * (area / full) ** 0.75 * 2 ** (-(crf - 23) / 5);
  const coded = 54 + 2.6 * Math.log2((kbps * 1000) / (area * 30));
  const ceiling = 52 - 5 * Math.log2(full / area);
  const psnr = -10 * Math.log10(10 ** (-coded / 10) + 10 ** (-ceiling / 10));
  return { crf, kbps: r3(kbps), psnr_y: r3(psnr), ssim: r3(1 - 4 * 10 ** (-psnr / 20)) };
}

// PSNR-Y of a curve at kbps: linear in log2(kbps) between points, along the end segments beyond.
function psnrAt(points, kbps) {
  if (points.length === 1) return points[0].psnr_y;
  let k = 0;
  while (k < points.length - 2 && kbps > points[k + 1].kbps) k++;
  const a = points[k], b = points[k + 1];
  return a.psnr_y + (b.psnr_y - a.psnr_y) * Math.log2(kbps / a.kbps) / Math.log2(b.kbps / a.kbps);
}

// The lowest kbps at which a curve reaches psnr (its inverse, by bisection on log2 kbps).
function kbpsAt(points, psnr) {
  let lo = 0, hi = 20;
  for (let i = 0; i < 60; i++) { const m = (lo + hi) / 2; if (psnrAt(points, 2 ** m) < psnr) lo = m; else hi = m; }
  return 2 ** hi;
}

// The per_title block for the fixture's show.json (its renditions are the profile's rungs).
function perTitleChosen(show) {
  const boxes = [];
  for (const r of show.renditions) {
    if (r.use === 'hls' && !boxes.some(([w, h]) => w === r.width && h === r.height)) boxes.push([r.width, r.height]);
  }
  boxes.sort((a, b) => a[0] * a[1] - b[0] * b[1]);
  const curves = boxes.map(([w, h]) => ({ box: [w, h], width: w, height: h, points: CRFS.map((c) => probe(w, h, c)) }));
  for (const [i, c] of curves.entries()) {
    for (const p of c.points) {
      p.hull = curves.every((o, j) => j === i || psnrAt(o.points, p.kbps) <= p.psnr_y);
    }
  }
  // Each rung aims at what the profile's own bitrate and box give (CEILING dB at most) and takes
  // the lowest bitrate reaching it: on the best box for an HLS rung, on its own for an MP4; an
  // HLS rung stays 1.15x above the one below.
  const curveOf = (w, h) => curves.find((c) => c.width === w && c.height === h);
  const CEILING = 48;
  let below = null;
  const rungs = show.renditions.map((r) => {
    const base = { name: r.name, use: r.use, profile_kbps: r.target_kbps, profile_box: [r.width, r.height] };
    const vbv = (kbps) => ({ kbps, maxrate_kbps: Math.round(kbps * 1.5), bufsize_kbps: kbps * 2 });
    if (r.name === 'mp4-360p-600') { // as a rung the source does not feed: the profile's figures, no prediction
      return { ...base, ...vbv(r.target_kbps), box: [r.width, r.height], reason: 'the source does not feed it' };
    }
    const own = psnrAt(curveOf(r.width, r.height).points, r.target_kbps), target = Math.min(own, CEILING);
    const c = r.use === 'hls'
      ? curves.reduce((best, o) => (kbpsAt(o.points, target) < kbpsAt(best.points, target) ? o : best))
      : curveOf(r.width, r.height);
    let kbps = Math.ceil(kbpsAt(c.points, target) - 1e-6);
    let reason = target < own ? `aims at the ladder's ${CEILING} dB ceiling` : 'the lowest bitrate reaching its target';
    if (r.use === 'hls' && below && kbps < below.kbps * 1.15) {
      kbps = Math.ceil(below.kbps * 1.15);
      reason = `held 1.15x over ${below.name} (the step rule)`;
    }
    const rung = { ...base, ...vbv(kbps), box: c.box, profile_psnr_y: r3(own), target_psnr_y: r3(target),
      psnr_y: r3(psnrAt(c.points, kbps)), reason };
    if (r.use === 'hls') below = rung;
    return rung;
  });
  const hls = rungs.filter((r) => r.use === 'hls');
  hls.slice(1).forEach((r, i) => assert.ok(r.kbps > hls[i].kbps, `the model's ladder climbs: ${JSON.stringify(hls)}`));
  return { status: 'chosen', display: DISPLAY, sampled_seconds: 3.0, windows: [6.0, 26.0, 46.0], curves, rungs };
}

const FALLBACK_REASON = 'the source is too short to sample (1.5 s) <b>&amp;</b>';

// python3-jsonschema's complaints (docs/show.schema.json) about each document, [] when it conforms.
function schemaErrors(docs) {
  const py = `
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft7Validator(schema)
out = [sorted('/'.join(map(str, e.absolute_path)) + ': ' + e.message for e in v.iter_errors(d))
       for d in json.load(sys.stdin)]
print(json.dumps(out))`;
  const r = spawnSync('python3', ['-c', py, path.join(ROOT, 'docs', 'show.schema.json')], { input: JSON.stringify(docs), encoding: 'utf8' });
  assert.equal(r.status, 0, `python3 jsonschema: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

let origin, browser, dir, chosen;

before(async () => {
  const src = realpathSync(path.join(LIBRARY, 'demo', 'current'));
  const demo = JSON.parse(readFileSync(path.join(src, 'show.json'), 'utf8'));
  chosen = perTitleChosen(demo);
  const shows = {
    'pt-chosen': { ...demo, id: 'pt-chosen', title: 'Per-title chosen', per_title: chosen },
    'pt-fallback': { ...demo, id: 'pt-fallback', title: 'Per-title fallback', per_title: { status: 'fallback', reason: FALLBACK_REASON } },
    'pt-none': { ...demo, id: 'pt-none', title: 'Per-title absent' },
  };
  // What the schema must say: the three conform; these copies do not.
  const broken = [
    ['chosen without curves', (p) => { delete p.curves; }],
    ['fallback without its reason', () => ({ status: 'fallback' })],
    ['an unknown status', (p) => { p.status = 'maybe'; }],
    ['a hull flag as a number', (p) => { p.curves[0].points[0].hull = 1; }],
    ['a box of three numbers', (p) => { p.rungs[0].box = [1, 2, 3]; }],
    ['a reason of two lines', (p) => { p.rungs[0].reason = 'one\ntwo'; }],
    ['a rung without kbps', (p) => { delete p.rungs[0].kbps; }],
  ].map(([what, f]) => {
    const p = structuredClone(chosen);
    return [what, { ...demo, per_title: f(p) || p }];
  });
  const errors = schemaErrors([...Object.values(shows), ...broken.map(([, d]) => d)]);
  Object.keys(shows).forEach((id, i) => assert.deepEqual(errors[i], [], `${id}'s show.json conforms to docs/show.schema.json`));
  broken.forEach(([what], i) => {
    const e = errors[Object.keys(shows).length + i];
    assert.ok(e.length && e.every((m) => m.startsWith('per_title')), `the schema refuses ${what} at per_title: ${JSON.stringify(e)}`);
  });

  // A library of the three, laid out as ladder publishes (vN, current, the links).
  dir = mkdtempSync(path.join(tmpdir(), 'ladder-per-title-'));
  for (const [id, doc] of Object.entries(shows)) {
    const v = path.join(dir, 'lib', id, 'v1');
    mkdirSync(v, { recursive: true });
    writeFileSync(path.join(v, 'show.json'), JSON.stringify(doc, null, 2));
    for (const f of ['entry.m3u8', 'poster.jpg']) copyFileSync(path.join(src, f), path.join(v, f));
    symlinkSync('v1', path.join(dir, 'lib', id, 'current'));
    symlinkSync('current/show.json', path.join(dir, 'lib', id, 'show.json'));
    symlinkSync('current/entry.m3u8', path.join(dir, 'lib', id, 'master.m3u8'));
    symlinkSync('current/poster.jpg', path.join(dir, 'lib', id, 'poster.jpg'));
  }
  origin = await startOrigin(['--library', path.join(dir, 'lib')]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await origin?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openReport(id) {
  const page = await newPage(browser);
  await page.goto(`${origin.base}/demo/#/report/${id}`);
  await page.waitForSelector('#report table', { timeout: 10000 });
  return page;
}

test('chosen: the curves, the hull points, the rungs where the axes put them, the table', async () => {
  const page = await openReport('pt-chosen');
  await page.waitForSelector('#per-title[data-status="chosen"] svg', { timeout: 5000 });
  const got = await page.evaluate(() => {
    const centre = (el) => { const b = el.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; };
    const root = document.getElementById('per-title');
    return {
      curves: [...root.querySelectorAll('.pt-curve')].map((g) => ({
        box: g.dataset.box,
        points: [...g.querySelectorAll('.pt-point')].map((c) => ({ kbps: +c.dataset.kbps, crf: +c.dataset.crf, hull: c.classList.contains('pt-hull-point'), xy: centre(c) })),
      })),
      hullPoints: root.querySelectorAll('.pt-hull-point').length,
      curveLabels: [...root.querySelectorAll('.pt-curve-label')].map((t) => t.textContent),
      rungs: [...root.querySelectorAll('.pt-rung')].map((g) => ({ name: g.dataset.name, label: g.querySelector('text').textContent, xy: centre(g.querySelector('.pt-mark')) })),
      rows: [...root.querySelectorAll('tr.pt-rung-row')].map((tr) => [...tr.cells].map((td) => td.textContent)),
    };
  });
  const { curves, rungs } = chosen;
  assert.equal(got.curves.length, curves.length, 'one .pt-curve per curve');
  const all = []; // every drawn point and mark: [kbps, psnr_y, x, y]
  curves.forEach((c, i) => {
    const g = got.curves[i];
    assert.equal(g.box, `${c.box[0]}×${c.box[1]}`, `curve ${i}: its box, in area order`);
    assert.deepEqual(g.points.map((p) => [p.crf, p.kbps]), c.points.map((p) => [p.crf, p.kbps]), `curve ${i}: every probe, in kbps order`);
    assert.deepEqual(g.points.map((p) => p.hull), c.points.map((p) => p.hull), `curve ${i}: exactly its hull points marked`);
    c.points.forEach((p, k) => all.push([p.kbps, p.psnr_y, ...g.points[k].xy]));
  });
  const hullCount = curves.flatMap((c) => c.points).filter((p) => p.hull).length;
  assert.equal(got.hullPoints, hullCount, '.pt-hull-point count');
  assert.ok(hullCount > curves.length && hullCount < curves.length * CRFS.length, `the model gives a real hull (${hullCount} points)`);
  assert.deepEqual([...got.curveLabels].sort(), curves.map((c) => `${c.height}p`).sort(), 'each curve labelled by its height');

  const drawn = rungs.filter((r) => r.use === 'hls' && r.psnr_y > 0);
  assert.ok(drawn.length >= 4);
  assert.deepEqual(got.rungs.map((r) => r.name), drawn.map((r) => r.name), 'one .pt-rung per HLS rung, in the profile\'s order');
  got.rungs.forEach((g, i) => {
    assert.ok(g.label.length && drawn[i].name.endsWith(g.label), `${g.name} labelled by its name (${g.label})`);
    all.push([drawn[i].kbps, drawn[i].psnr_y, ...g.xy]);
  });
  const byKbps = got.rungs.map((g, i) => [drawn[i].kbps, g.xy[0]]).sort((a, b) => a[0] - b[0]);
  byKbps.slice(1).forEach(([k, x], i) => assert.ok(x > byKbps[i][1], `the mark at ${k} kbps is right of the one at ${byKbps[i][0]} kbps`));

  // x is linear in log(kbps) and y in PSNR-Y, the same for dots and marks: fitted on the
  // extremes, every element within 0.75 px (the page rounds to 0.1 of the viewBox's unit).
  const fit = (u, v) => {
    const lo = all.reduce((a, p) => (u(p) < u(a) ? p : a)), hi = all.reduce((a, p) => (u(p) > u(a) ? p : a));
    return (p) => v(lo) + (u(p) - u(lo)) / (u(hi) - u(lo)) * (v(hi) - v(lo));
  };
  const fx = fit((p) => Math.log(p[0]), (p) => p[2]), fy = fit((p) => p[1], (p) => p[3]);
  for (const p of all) {
    assert.ok(Math.abs(fx(p) - p[2]) < 0.75, `x of ${p[0]} kbps: ${p[2].toFixed(2)}, log scale says ${fx(p).toFixed(2)}`);
    assert.ok(Math.abs(fy(p) - p[3]) < 0.75, `y of ${p[1]} dB: ${p[3].toFixed(2)}, the axis says ${fy(p).toFixed(2)}`);
  }
  assert.ok(fy([0, 40]) < fy([0, 30]), 'higher PSNR-Y is drawn higher');

  assert.equal(got.rows.length, rungs.length, 'a table row per rung, MP4 too');
  rungs.forEach((r, i) => {
    const row = got.rows[i];
    assert.equal(row[0], r.name);
    assert.ok(row[1].startsWith(`${r.profile_kbps} → ${r.kbps}`), `${r.name}: ${row[1]}`);
    assert.ok(row.at(-1) === r.reason, `${r.name}: its reason (${row.at(-1)})`);
    assert.ok(r.psnr_y ? row.includes(`${r.psnr_y.toFixed(1)} dB`) : row.includes('—'), `${r.name}: predicted PSNR-Y in ${row}`);
  });
  assert.deepEqual(page.pageErrors, [], 'no script error');
  assert.deepEqual(foreignRequests(page, origin.base), [], 'nothing outside the origin');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.locator('#per-title').screenshot({ path: path.join(ARTIFACTS, 'report-per-title.png') });
  await page.context().close();
});

test('fallback: one line with the reason; absent: nothing', async () => {
  let page = await openReport('pt-fallback');
  const fb = await page.waitForSelector('#per-title[data-status="fallback"] .pt-fallback', { timeout: 5000 });
  assert.ok((await fb.textContent()).includes(FALLBACK_REASON), 'the reason, as text');
  assert.equal(await page.locator('#per-title svg, #per-title table, #per-title b').count(), 0, 'no chart, no table, no markup from the reason');
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();

  page = await openReport('pt-none');
  assert.ok(await page.locator('#report svg').count() > 0, 'the report itself is drawn');
  assert.equal(await page.locator('#per-title').count(), 0, 'no per-title section without per_title');
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});
