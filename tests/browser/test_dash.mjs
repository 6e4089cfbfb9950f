// test_dash.mjs: the player page's DASH path and its seek-bar thumbnails, in Debian's Chromium
// against `ladder serve` on the fixture library (fixture.py). dash.js plays the fMP4 show
// `dash` from its MPD (/play?format=dash): it starts with no error and nothing outside the
// origin, shows the English WebVTT captions from the MPD's text AdaptationSet, switches down
// under a 300 kbit/s throttle and back up once lifted, and the stats panel reads it. Hovering
// the seek bar shows the tile whose cue covers the time under the pointer (the HLS show `demo`
// and the DASH show), and so does a finger dragging on it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { FIXTURE, foreignRequests, launchBrowser, newPage, openWatch, playerState, screenshot, startOrigin, waitPlayed } from './lib.mjs';

let origin;
let browser;

before(async () => {
  // The fixture packages `dash` last and goes on if that fails; say why here, not as a timeout.
  const err = `${FIXTURE}/dash.err`;
  assert.ok(!existsSync(err), existsSync(err) ? readFileSync(err, 'utf8') : '');
  origin = await startOrigin();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await origin?.stop();
});

// The cues of a thumbnails WebVTT, as the test reads it: {start, end, sheet (absolute URL), x, y, w, h}.
function parseVtt(text, url) {
  const secs = (t) => t.trim().split(':').map(Number).reduce((a, v) => a * 60 + v, 0);
  return text.replace(/\r/g, '').split(/\n\n+/).filter((b) => b.includes('-->')).map((b) => {
    const lines = b.split('\n');
    const k = lines.findIndex((l) => l.includes('-->'));
    const [a, e] = lines[k].split('-->');
    const m = /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(lines[k + 1].trim());
    assert.ok(m, `cue payload ${lines[k + 1]}`);
    return { start: secs(a), end: secs(e.trim().split(/\s/)[0]), sheet: new URL(m[1], url).href,
      x: +m[2], y: +m[3], w: +m[4], h: +m[5] };
  });
}

// The show's thumbnails track (the smallest width listed, as the page picks it).
async function thumbCues(id) {
  const show = await (await fetch(`${origin.base}/shows/${id}/show.json`)).json();
  assert.ok(Array.isArray(show.thumbnails) && show.thumbnails.length, `${id}: show.json lists thumbnails: ${JSON.stringify(show.thumbnails)}`);
  const t = [...show.thumbnails].sort((a, b) => a.width - b.width)[0];
  const url = `${origin.base}/shows/${id}/v${show.version}/${t.vtt}`;
  const r = await fetch(url);
  assert.equal(r.status, 200, url);
  return { cues: parseVtt(await r.text(), url), width: t.width };
}

// Hovers the seek bar at fraction f of its width; returns what the preview shows and what it
// should, from the VTT: the cue covering f × the show's duration.
async function hoverAndCheck(page, cues, f, what) {
  const bar = page.locator('#seekbar');
  await bar.waitFor({ state: 'visible', timeout: 15000 });
  await page.waitForFunction(() => window.ladderPlayer.thumbs && window.ladderPlayer.thumbs.cues, null, { timeout: 10000 });
  const box = await bar.boundingBox();
  await page.mouse.move(box.x + box.width * f, box.y + box.height / 2);
  await page.waitForSelector('#thumb', { state: 'visible', timeout: 5000 });
  const got = await page.evaluate(() => {
    const img = document.getElementById('thumb-img');
    const cs = getComputedStyle(img);
    const p = window.ladderPlayer;
    return { image: cs.backgroundImage, position: cs.backgroundPosition, width: cs.width, height: cs.height,
      duration: p.ads.duration || p.video.duration, time: Number(document.getElementById('thumb').dataset.time) };
  });
  const t = f * got.duration;
  assert.ok(Math.abs(got.time - t) < 0.5, `${what}: preview for ${got.time} s at ${f} of ${got.duration} s`);
  const want = cues.filter((c) => c.start <= t).pop();
  assert.ok(want && t < want.end + 0.001, `${what}: a cue covers ${t} s`);
  assert.equal(got.image, `url("${want.sheet}")`, `${what}: sheet at ${t.toFixed(2)} s`);
  assert.equal(got.position, `${-want.x}px ${-want.y}px`, `${what}: tile at ${t.toFixed(2)} s (cue ${want.start}-${want.end})`);
  assert.equal(got.width, `${want.w}px`);
  assert.equal(got.height, `${want.h}px`);
  return { t, want };
}

test('DASH: dash.js plays the MPD, captions, down under 300 kbit/s and back up', async () => {
  // A short buffer goal, as the hls.js ABR test has, so the player is still downloading when
  // the network slows.
  const page = await newPage(browser, {}, () => {
    window.LADDER_DASH_CONFIG = { streaming: { buffer: { bufferTimeDefault: 6, bufferTimeAtTopQuality: 8, bufferTimeAtTopQualityLongForm: 8 } } };
  });
  await openWatch(page, origin.base, 'dash?format=dash', 'dashView');
  const s0 = await playerState(page);
  assert.equal(s0.path, 'dashjs');
  assert.match(s0.src, /^\/shows\/dash\/v\d+\/manifest\.mpd$/);
  assert.equal(await page.getAttribute('#player', 'data-path'), 'dashjs');

  // Captions: the MPD's English text AdaptationSet in the menu, off until chosen; chosen, the
  // cue at 4 s (fixture.py's CUES) becomes active on a showing text track.
  await page.waitForSelector('#captions', { state: 'visible', timeout: 15000 });
  const labels = await page.$$eval('#captions option', (o) => o.map((x) => x.textContent));
  assert.ok(labels[0] === 'Off' && labels.includes('English'), `captions menu: ${labels}`);
  assert.equal(await page.inputValue('#captions'), '-1', 'captions start off');
  await page.evaluate(() => {
    const v = window.ladderPlayer.video, log = window.cueLog = {};
    const watch = (t) => t.addEventListener('cuechange', () => {
      for (const c of t.activeCues || []) if (!(c.text in log)) log[c.text] = { at: v.currentTime, mode: t.mode, kind: t.kind };
    });
    [...v.textTracks].forEach(watch);
    v.textTracks.addEventListener('addtrack', (e) => watch(e.track));
  });
  await page.selectOption('#captions', { label: 'English' });
  assert.ok((await page.evaluate(() => window.ladderPlayer.video.currentTime)) < 3.5, 'English chosen before its first cue');
  await page.waitForFunction(() => window.ladderPlayer.video.currentTime >= 4.6, null, { timeout: 30000, polling: 100 });
  await screenshot(page, 'player-dash-captions'); // the 4 s cue on screen
  await page.waitForFunction(() => window.ladderPlayer.video.currentTime >= 5.6, null, { timeout: 30000, polling: 200 });
  const log = await page.evaluate(() => window.cueLog);
  const first = log['In the first segment'];
  assert.ok(first, `the 4 s cue became active: ${JSON.stringify(log)}`);
  assert.equal(first.mode, 'showing');
  assert.ok(first.at >= 3.8 && first.at <= 4.6, `the 4 s cue came on at ${first.at} s`);

  // ABR: the two lowest Representations fit 300 kbit/s, the rest do not (player-ladder.xml).
  const levels = s0.levels.length ? s0.levels : (await playerState(page)).levels;
  const lowest = new Set(levels.map((l, i) => [l.bitrate, i]).sort((a, b) => a[0] - b[0]).slice(0, 2).map(([, i]) => i));
  assert.ok(levels.length >= 4, `Representations: ${JSON.stringify(levels)}`);
  await page.waitForFunction((low) => !low.includes(window.ladderPlayer.dashView.currentLevel), [...lowest], { timeout: 20000, polling: 250 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 40, downloadThroughput: 300000 / 8, uploadThroughput: 300000 / 8,
  });
  const throttledAt = Date.now();
  await page.waitForFunction((low) => low.includes(window.ladderPlayer.dashView.currentLevel), [...lowest], { timeout: 25000, polling: 250 });
  const downIn = (Date.now() - throttledAt) / 1000;
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await page.waitForFunction((low) => !low.includes(window.ladderPlayer.dashView.currentLevel), [...lowest], { timeout: 30000, polling: 250 });
  const s = await playerState(page);
  console.log(`# DASH ABR: down to a lowest Representation ${downIn.toFixed(1)} s after the throttle; back up to ${levels[s.level].height}p; switches ${s.levelSwitches.map((x) => x.height).join(' ')}`);
  assert.deepEqual(s.errors, [], 'dash.js errors');

  // The stats panel reads dash.js as it reads hls.js.
  const stats = await page.textContent('#stats');
  for (const want of ['dash.js', 'Estimate', 'Buffer ahead', 'dropped', 'Rendition', 'Mbps']) {
    assert.ok(stats.includes(want), `stats panel shows ${want}: ${stats}`);
  }
  assert.doesNotMatch(await page.textContent('#stats-list'), /Rendition—/, 'a rendition is named');

  // Thumbnails work on the DASH path too.
  const { cues } = await thumbCues('dash');
  await hoverAndCheck(page, cues, 0.5, 'DASH');
  assert.deepEqual(foreignRequests(page, origin.base), [], 'requests left the origin');
  assert.deepEqual(page.pageErrors, [], 'script errors');
  await page.context().close();
});

test('thumbnails: hovering the seek bar shows the tile of that time; a finger drag too', async () => {
  const { cues } = await thumbCues('demo');
  const page = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await openWatch(page, origin.base, 'demo', 'hls');
  await waitPlayed(page, 1);
  await page.evaluate(() => window.ladderPlayer.video.pause());
  // Several places, two of them on the second sheet's row or beyond if the show has one.
  for (const f of [0.05, 0.37, 0.71, 0.93]) await hoverAndCheck(page, cues, f, `hover at ${f}`);
  const { want } = await hoverAndCheck(page, cues, 0.42, 'hover at 0.42');
  // Only the tile's own pixels: the sheet is not shown whole.
  const tip = await page.locator('#thumb').boundingBox();
  assert.ok(tip.width <= want.w + 4 && tip.height <= want.h + 4, `preview ${tip.width}x${tip.height}`);
  await screenshot(page, 'player-thumbnails');
  await page.mouse.move(5, 5);
  await page.waitForSelector('#thumb', { state: 'hidden', timeout: 2000 });
  await page.context().close();

  // A touch screen: the preview follows a finger dragging on the bar and goes when it lifts,
  // and the video seeks to where it lifted.
  const phone = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await openWatch(phone, origin.base, 'demo', 'hls');
  await waitPlayed(phone, 1);
  await phone.waitForFunction(() => window.ladderPlayer.thumbs && window.ladderPlayer.thumbs.cues, null, { timeout: 10000 });
  const bar = await phone.locator('#seekbar').boundingBox();
  const cdp = await phone.context().newCDPSession(phone);
  const y = bar.y + bar.height / 2;
  const touch = (type, x) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
  await touch('touchStart', bar.x + bar.width * 0.2);
  const duration = await phone.evaluate(() => window.ladderPlayer.ads.duration || window.ladderPlayer.video.duration);
  for (const f of [0.3, 0.5, 0.6]) {
    await touch('touchMove', bar.x + bar.width * f);
    // The preview follows the finger: visible, at the time under it.
    await phone.waitForFunction((t) => {
      const tip = document.getElementById('thumb');
      return tip && !tip.hidden && Math.abs(Number(tip.dataset.time) - t) < 0.5;
    }, f * duration, { timeout: 3000, polling: 50 });
  }
  await touch('touchEnd');
  await phone.waitForSelector('#thumb', { state: 'hidden', timeout: 2000 });
  await phone.waitForFunction((t) => Math.abs(window.ladderPlayer.video.currentTime - t) < 3, 0.6 * duration, { timeout: 10000 });
  await phone.context().close();
});
