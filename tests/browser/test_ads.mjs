// test_ads.mjs: ad breaks on the player page (player-demo/ads.js) in Debian's Chromium, against
// `ladder serve --ads ad1,ad2` on the fixture library (fixture.py: the show `breaks` with a
// pre-roll and two mid-rolls, the ads ad1 (4 s) and ad2 (2 s) in 1 s segments). hls.js: the
// pre-roll plays before the show, a mid-roll when playback crosses its break and the show
// resumes on the break's frame, a seek past a break plays it and then lands where the viewer
// asked, no seeking inside an ad, the badge, the seek bar's marks, the stats panel and the
// beacons; throttled, the ad itself switches rungs. The MP4 path (Android 2.3) does the same with
// source swaps. Last, an ad re-ingested while a viewer is inside it: the viewer finishes the
// version it started.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { FIXTURE, LADDER, ROOT, UA, launchBrowser, newPage, openWatch, run, screenshot, startOrigin } from './lib.mjs';

const SHOW = 'breaks';
const AD_PROFILE = `${ROOT}/tests/browser/player-ad-ladder.xml`;
let origin;
let browser;
let breaks; // show.json's, the show's own timeline (seconds from the first picture)
let frameDur; // one frame of the show, seconds

before(async () => {
  origin = await startOrigin(['--ads', 'ad1,ad2']);
  browser = await launchBrowser();
  const show = await (await fetch(`${origin.base}/shows/${SHOW}/show.json`)).json();
  breaks = show.breaks;
  assert.ok(breaks && breaks.length >= 3 && breaks[0].time === 0, `show.json breaks: ${JSON.stringify(breaks)}`);
  frameDur = 1 / 30;
});

after(async () => {
  await browser?.close();
  await origin?.stop();
});

// Every frame the <video> presents, from requestVideoFrameCallback: [mediaTime, in an ad (the
// page's own hook), performance.now(), presented while hidden, the rendering step's start (the
// callback's `now`, shared by every callback for that frame)].
function recordFrames() {
  const v0 = () => document.querySelector('#player video');
  window.ladderFrames = [];
  const hook = () => {
    const v = v0();
    if (v && !v.ladderHooked && v.requestVideoFrameCallback) {
      v.ladderHooked = true;
      const f = (now, m) => {
        const p = window.ladderPlayer;
        const ad = p && p.ads && p.ads.ad;
        // A frame presented while the picture is transparent (ads.js, resuming an MP4) is marked
        // hidden; it shows when the picture is made visible again ('unveil').
        window.ladderFrames.push([m.mediaTime, ad ? `${ad.break}:${ad.index}` : '', performance.now(), v.style.opacity === '0', now]);
        v.requestVideoFrameCallback(f);
      };
      v.requestVideoFrameCallback(f);
      let hidden = false;
      new MutationObserver(() => {
        const h = v.style.opacity === '0';
        if (hidden && !h) window.ladderFrames.push([null, 'unveil', performance.now(), false]);
        hidden = h;
      }).observe(v, { attributes: true, attributeFilter: ['style'] });
    }
    requestAnimationFrame(hook);
  };
  requestAnimationFrame(hook);
}

async function hlsPage(config = {}) {
  const page = await newPage(browser, {}, recordFrames);
  await page.addInitScript((c) => { window.LADDER_HLS_CONFIG = c; }, { maxBufferLength: 4, maxMaxBufferLength: 8, ...config });
  await openWatch(page, origin.base, SHOW, 'hls');
  return page;
}

async function android23Page() {
  const page = await newPage(browser, { userAgent: UA.android23, viewport: { width: 480, height: 800 } }, recordFrames);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setUserAgentOverride', {
    userAgent: UA.android23,
    userAgentMetadata: { brands: [], fullVersionList: [], platform: '', platformVersion: '', architecture: '', model: '', mobile: true },
  });
  await openWatch(page, origin.base, SHOW);
  return page;
}

const adsLog = (page) => page.evaluate(() => window.ladderPlayer.ads.log.filter((l) => l.type !== 'ad-player').map(({ type, break: b, ad, index, primaryTime, seekTarget, version }) =>
  ({ type, break: b, ad, index, primaryTime, seekTarget, version })));
const waitLog = (page, type, brk, timeout = 30000) => page.waitForFunction(([t, b]) =>
  window.ladderPlayer.ads.log.some((l) => l.type === t && (!b || l.break === b)), [type, brk], { timeout, polling: 100 });
const primaryTime = (page) => page.evaluate(() => window.ladderPlayer.ads.primaryTime());
const frames = (page) => page.evaluate(() => window.ladderFrames);

// The first frame of the show seen after break `brk`, and the last seen before it. Frames
// presented while the picture is transparent are not seen. When it is made visible again
// ('unveil'), the frame seen is the one whose rendering step the unveiling ran in (the page
// unveils from its own frame callback, which may run before this recorder's), else the last one
// presented before it.
async function aroundBreak(page, brk) {
  const fr = await frames(page);
  const i = fr.findIndex((f) => f[1].startsWith(`${brk}:`));
  assert.ok(i > 0, `frames of ${brk}'s ads: ${JSON.stringify(fr.slice(-5))}`);
  let j = i;
  while (j < fr.length && fr[j][1]) j++;
  assert.ok(j < fr.length, `the show presented no frame after ${brk}`);
  let seen = fr[j];
  if (seen[3]) {
    const k = fr.findIndex((f, n) => n > j && f[1] === 'unveil');
    assert.ok(k > j, `the picture stayed hidden after ${brk}`);
    const next = fr[k + 1];
    seen = next && next[0] !== null && next[4] <= fr[k][2] ? next : fr[k - 1];
  }
  const before = fr[i - 1];
  assert.ok(!before[3] && before[1] === '', `the last frame before ${brk}: ${JSON.stringify(before)}`);
  return { before, after: seen, first: fr.find((f) => f[1] === '' && !f[3]), around: fr.slice(Math.max(0, j - 3), j + 4) };
}

function beaconsOf(page) {
  return page.evaluate(() => window.ladderPlayer.ads.beacons.map((b) => ({ ...b.body, status: b.status })));
}

test('hls.js: the pre-roll before the show, its badge, no seeking inside it, marks, stats, beacons', async () => {
  const page = await hlsPage();
  await page.waitForFunction(() => window.ladderPlayer.ads.ad && window.ladderPlayer.video.currentTime > 0.5, null, { timeout: 20000, polling: 100 });
  const badge = await page.textContent('#ad-badge');
  assert.match(badge, /^Ad 1 of 2 · 0:0[1-4]$/, `badge: ${badge}`);
  assert.equal(await page.evaluate(() => window.ladderPlayer.video.controls), false, 'no native controls (no seek bar) inside an ad');
  const stats = await page.textContent('#stats');
  const ad = await page.evaluate(() => window.ladderPlayer.ads.ad.show);
  assert.ok(stats.includes(ad) && /ad rung hls-/.test(stats), `the stats panel names the ad and its rung: ${stats}`);
  // A seek inside the ad is put back; the arrow keys do nothing; the seek bar neither.
  const t0 = await page.evaluate(() => window.ladderPlayer.video.currentTime);
  await page.evaluate(() => { window.ladderPlayer.video.currentTime += 2.5; });
  await page.waitForTimeout(300);
  const t1 = await page.evaluate(() => window.ladderPlayer.video.currentTime);
  assert.ok(t1 < t0 + 1, `seek inside the ad put back: ${t0} -> ${t1}`);
  await page.locator('body').click({ position: { x: 5, y: 700 } });
  await page.keyboard.press('ArrowRight');
  const t2 = await page.evaluate(() => window.ladderPlayer.video.currentTime);
  assert.ok(t2 < t1 + 1, `ArrowRight inside an ad: ${t1} -> ${t2}`);
  assert.equal(await primaryTime(page), 0, "the show's position is kept at 0 during the pre-roll");
  await screenshot(page, 'player-ad');

  await waitLog(page, 'break-end', 'break-1');
  await page.waitForFunction(() => !window.ladderPlayer.ads.ad && window.ladderPlayer.video.currentTime > 1, null, { timeout: 20000, polling: 100 });
  const log = await adsLog(page);
  const types = log.map((l) => `${l.type}${l.ad ? ` ${l.ad}` : ''}`);
  assert.deepEqual(log.slice(0, 6).map((l) => l.type), ['break-start', 'ad-start', 'ad-end', 'ad-start', 'ad-end', 'break-end'], `steps: ${types}`);
  assert.ok(log.slice(0, 6).every((l) => l.break === 'break-1' && l.primaryTime === 0), JSON.stringify(log.slice(0, 6)));
  assert.deepEqual(new Set(log.filter((l) => l.type === 'ad-start').slice(0, 2).map((l) => l.ad)), new Set(['ad1', 'ad2']));
  // The show presented no frame before the pre-roll's first.
  const fr = await frames(page);
  assert.ok(fr.length && fr[0][1] === 'break-1:0', `first frame: ${JSON.stringify(fr[0])}`);
  assert.equal(await page.evaluate(() => window.ladderPlayer.video.controls), true, 'controls back after the ad');
  assert.equal(await page.isVisible('#ad-badge'), false, 'badge gone after the ad');
  const marks = await page.$$eval('#seekbar .sb-break', (m) => m.map((x) => ({ id: x.dataset.break, played: x.classList.contains('played') })));
  assert.deepEqual(marks.map((m) => m.id), breaks.map((b) => b.id), 'a mark per break on the seek bar');
  assert.ok(marks[0].played && !marks[1].played, JSON.stringify(marks));
  // Beacons: start and end for each ad, answered 204, bodies exactly what the origin accepts.
  await page.waitForFunction(() => window.ladderPlayer.ads.beacons.filter((b) => b.status !== null).length >= 4, null, { timeout: 5000 });
  const bc = (await beaconsOf(page)).slice(0, 4);
  assert.deepEqual(bc.map((b) => [b.show, b.break, b.event, b.status]), [
    [SHOW, 'break-1', 'start', 204], [SHOW, 'break-1', 'end', 204], [SHOW, 'break-1', 'start', 204], [SHOW, 'break-1', 'end', 204]]);
  const metrics = await (await fetch(`${origin.base}/metrics`)).text();
  assert.match(metrics, /ladder_ad_impressions_total\{event="start"\} [1-9]/, 'the origin counted the impressions');
  const st = await page.evaluate(() => ({ errors: window.ladderPlayer.errors, adErrors: window.ladderPlayer.ads.adErrors }));
  assert.deepEqual(st.errors.filter((e) => e.fatal), [], 'fatal hls.js errors');
  assert.deepEqual(st.adErrors.filter((e) => e.fatal), [], 'fatal errors in the ads');
  assert.deepEqual(page.pageErrors, [], 'script errors');
  await page.context().close();
});

// Once in CI the page never reached break-2's end within 60 s (cause not found; see the
// closing note of #20): a second page load is tried before the test fails, and says so.
async function pageAtBreakEnd(id) {
  for (let attempt = 1; ; attempt++) {
    const page = await hlsPage();
    try {
      await waitLog(page, 'break-end', id, 60000);
      return page;
    } catch (e) {
      const log = await adsLog(page).catch(() => []);
      await page.context().close();
      if (attempt === 2) throw e;
      console.log(`# retrying: ${id} did not end in 60 s; the ads log: ${JSON.stringify(log)}`);
    }
  }
}

test('hls.js: a mid-roll when playback crosses its break; the show resumes on the break frame', async () => {
  const b = breaks[1];
  const page = await pageAtBreakEnd(b.id);
  await page.waitForFunction(() => !window.ladderPlayer.ads.ad && window.ladderPlayer.video.currentTime > 0, null, { timeout: 10000 });
  await page.waitForTimeout(500);
  const log = (await adsLog(page)).filter((l) => l.break === b.id || l.type === 'resume');
  const start = log.find((l) => l.type === 'break-start' && l.break === b.id);
  assert.ok(start && start.seekTarget === null, JSON.stringify(log));
  const { before: last, after: next, first } = await aroundBreak(page, b.id);
  // hls.js's clock starts a little before the first picture (docs/player.md): the break's frame
  // is at first picture + the break's time.
  const want = first[0] + b.time;
  console.log(`# mid-roll ${b.id} at ${b.time} s: last show frame before the ad ${last[0].toFixed(3)}, first after ${next[0].toFixed(3)}, break frame ${want.toFixed(3)} (first picture ${first[0].toFixed(3)})`);
  assert.ok(Math.abs(next[0] - want) <= frameDur + 0.002, `first frame after the ad ${next[0]} vs the break's ${want}`);
  assert.ok(last[0] < want - frameDur / 2 && last[0] > want - 3 * frameDur, `last frame before the ad ${last[0]} vs the break's ${want}`);
  await page.context().close();
});

test('hls.js: seeking past a break plays it first, then goes on where the viewer sought', async () => {
  const page = await hlsPage();
  await waitLog(page, 'break-end', 'break-1');
  await page.waitForFunction(() => !window.ladderPlayer.ads.ad && window.ladderPlayer.video.currentTime > 0.5, null, { timeout: 20000 });
  const b = breaks[1], target = (breaks[1].time + breaks[2].time) / 2;
  // The seek bar, as a viewer would: a click at the target's place.
  const box = await page.locator('#seekbar').boundingBox();
  const duration = await page.evaluate(() => window.ladderPlayer.ads.duration);
  await page.mouse.click(box.x + (box.width * target) / duration, box.y + box.height / 2);
  await waitLog(page, 'break-start', b.id, 10000);
  await waitLog(page, 'break-end', b.id, 30000);
  await page.waitForFunction((t) => !window.ladderPlayer.ads.ad && window.ladderPlayer.video.currentTime > t - 1, target, { timeout: 15000 });
  const at = await page.evaluate(() => window.ladderPlayer.video.currentTime);
  const log = await adsLog(page);
  const started = log.find((l) => l.type === 'break-start' && l.break === b.id);
  assert.ok(Math.abs(started.seekTarget - target) < 0.3, `seek target ${started.seekTarget} vs ${target}`);
  assert.ok(log.filter((l) => l.type === 'ad-start' && l.break === b.id).length === 2, `both ads of ${b.id}: ${JSON.stringify(log)}`);
  assert.ok(at >= target - 0.3 && at < target + 2, `resumed at ${at}, asked ${target}`);
  assert.ok(!log.some((l) => l.break === 'break-1' && log.indexOf(l) > log.indexOf(started)), 'the pre-roll did not come back');
  assert.deepEqual((await page.evaluate(() => window.ladderPlayer.errors)).filter((e) => e.fatal), []);
  await page.context().close();
});

test('hls.js throttled: the ad itself switches rungs', async () => {
  const page = await hlsPage({ maxBufferLength: 2, maxMaxBufferLength: 4 });
  const b = breaks[1];
  // The ads of break-2 start from the show's estimate (loopback: fast, a high rung). The network
  // is throttled as the first of them asks for its master playlist: it must come down inside
  // that ad.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let throttled = false;
  await page.route(/\/shows\/ad[12]\/v\d+\/master\.m3u8/, async (r) => {
    const after = await page.evaluate(() => window.ladderPlayer.ads.log.some((l) => l.type === 'break-end' && l.break === 'break-1')).catch(() => false);
    if (after && !throttled) {
      throttled = true;
      // 600 kbit/s: the ad's top rungs (1.1, 1.9 Mbps) do not fit, its lowest do.
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: 600000 / 8, uploadThroughput: 600000 / 8 });
    }
    await r.continue();
  });
  // One ad's own player, not the next ad starting lower: the same ad, two levels.
  const ad = await page.waitForFunction((id) => {
    const s = window.ladderPlayer.ads.adLevelSwitches.filter((x) => x.break === id);
    return s.map((x) => x.ad).find((a) => new Set(s.filter((x) => x.ad === a).map((x) => x.level)).size >= 2);
  }, b.id, { timeout: 60000, polling: 200 }).then((h) => h.jsonValue(), async (e) => {
    const d = await page.evaluate(() => [window.ladderPlayer.ads.adLevelSwitches, window.ladderPlayer.ads.adFrags]);
    throw new Error(`${e.message}: ${JSON.stringify(d)}`);
  });
  const sw = await page.evaluate(([id, a]) => window.ladderPlayer.ads.adLevelSwitches.filter((x) => x.break === id && x.ad === a), [b.id, ad]);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  console.log(`# ABR inside ${b.id}'s ad ${ad}: ${sw.map((s) => `${s.height}p`).join(' -> ')}`);
  assert.ok(throttled, 'throttled at the ad');
  assert.ok(sw[sw.length - 1].bitrate < sw[0].bitrate, `switched down: ${JSON.stringify(sw)}`);
  const frags = await page.evaluate(([id, a]) => window.ladderPlayer.ads.adFrags.filter((x) => x.break === id && x.ad === a), [b.id, ad]);
  assert.ok(new Set(frags.map((f) => f.level)).size >= 2, `the ad's segments from two rungs: ${JSON.stringify(frags)}`);
  await page.context().close();
});

test('MP4 path (Android 2.3): pre-roll, the mid-roll on its frame, a seek past a break, beacons', async () => {
  const page = await android23Page();
  assert.equal(await page.evaluate(() => window.ladderPlayer.path), 'mp4');
  await page.waitForFunction(() => window.ladderPlayer.ads.ad, null, { timeout: 10000 });
  assert.match(await page.evaluate(() => window.ladderPlayer.video.currentSrc), /\/shows\/ad[12]\/v\d+\/mp4\/[^/]+\.mp4$/, 'an ad MP4 first');
  assert.match(await page.textContent('#ad-badge'), /^Ad 1 of 2 · 0:0\d$/);
  const b = breaks[1];
  await waitLog(page, 'break-end', b.id, 60000);
  await page.waitForFunction(() => !window.ladderPlayer.ads.ad && window.ladderPlayer.video.currentTime > 0, null, { timeout: 10000 });
  await page.waitForTimeout(500);
  const { before: last, after: next, around } = await aroundBreak(page, b.id);
  if (Math.abs(next[0] - b.time) > frameDur) console.log(`# frames around the resume: ${JSON.stringify(around)}`);
  console.log(`# MP4 mid-roll ${b.id} at ${b.time} s: last show frame ${last[0].toFixed(3)}, first after the ad ${next[0].toFixed(3)}`);
  assert.ok(Math.abs(next[0] - b.time) <= frameDur / 2 + 0.002, `first frame after the ad ${next[0]} vs ${b.time}`);
  assert.ok(last[0] < b.time - frameDur / 2 && last[0] > b.time - 3 * frameDur, `last frame before the ad ${last[0]} vs ${b.time}`);
  const fr = await frames(page);
  assert.ok(fr[0][1] === 'break-1:0', `the pre-roll came first: ${JSON.stringify(fr[0])}`);
  // A seek over the last break plays it, then lands on the target.
  const c = breaks[2], target = c.time + 2;
  await page.evaluate((t) => { window.ladderPlayer.video.currentTime = t; }, target);
  await waitLog(page, 'break-start', c.id, 5000);
  await waitLog(page, 'break-end', c.id, 30000);
  await page.waitForFunction((t) => !window.ladderPlayer.ads.ad && window.ladderPlayer.video.currentTime >= t, target, { timeout: 10000 });
  const log = await adsLog(page);
  assert.equal(log.find((l) => l.type === 'break-start' && l.break === c.id).seekTarget, target);
  const bc = await beaconsOf(page);
  assert.equal(bc.filter((x) => x.event === 'start').length, 6, `three breaks of two ads: ${JSON.stringify(bc)}`);
  assert.ok(bc.every((x) => x.status === 204 || x.status === null), JSON.stringify(bc));
  const ads = page.requests.filter((u) => /\/shows\/ad[12]\//.test(u));
  assert.ok(ads.length && ads.every((u) => /\/mp4\/[^/]+\.mp4$/.test(u)), `ads as MP4s: ${ads}`);
  assert.deepEqual(page.pageErrors, [], 'script errors');
  await page.context().close();
});

test('re-ingesting an ad while a viewer is inside it: the viewer finishes the version it started', async () => {
  const page = await hlsPage({ maxBufferLength: 1, maxMaxBufferLength: 2 });
  // ad1's last two segments are held back until ad1 has been ingested again: the viewer is
  // inside ad1 (its first seconds played) while the re-ingest runs, and those segments can
  // only come after it.
  let release;
  const released = new Promise((r) => { release = r; });
  const held = [];
  await page.route(/\/shows\/ad1\/v\d+\/hls\/[^/]+\/seg0000[23]\.ts/, async (r) => {
    held.push(r.request().url());
    await released;
    await r.continue();
  });
  await page.waitForFunction(() => {
    const a = window.ladderPlayer.ads.ad;
    return a && a.show === 'ad1' && a.break === 'break-1' && window.ladderPlayer.video.currentTime > 0.3;
  }, null, { timeout: 30000, polling: 50 });
  const started = await page.evaluate(() => window.ladderPlayer.ads.ad.version);
  const list0 = await (await fetch(`${origin.base}/ads/${SHOW}/break-1.json`)).json();
  const ingest = await run('nice', ['-n', '19', LADDER, 'ingest', `${FIXTURE}/ad1.mp4`, '--id', 'ad1', '--title', 'Ad one',
    '--library', `${FIXTURE}/lib`, '--profile', AD_PROFILE, '--quiet']);
  assert.equal(ingest.code, 0, ingest.stderr);
  const list1 = await (await fetch(`${origin.base}/ads/${SHOW}/break-1.json`)).json();
  const uri = (l) => l.ASSETS.find((a) => a.URI.includes('/ad1/')).URI;
  assert.ok(uri(list0).includes(`/ad1/${started}/`), `${uri(list0)} is the version the viewer started (${started})`);
  assert.notEqual(uri(list1), uri(list0), `the asset list names the new version: ${uri(list0)} -> ${uri(list1)}`);
  assert.ok(await page.evaluate(() => { const a = window.ladderPlayer.ads.ad; return a && a.show === 'ad1'; }), 'still inside ad1');
  release();
  await waitLog(page, 'break-end', 'break-1', 30000);
  await page.waitForFunction(() => !window.ladderPlayer.ads.ad && window.ladderPlayer.video.currentTime > 0.5, null, { timeout: 20000 });
  assert.ok(held.length >= 1, 'ad1 segments waited for the re-ingest');
  assert.ok(held.every((u) => u.includes(`/shows/ad1/${started}/`)), `held segments from ${started}: ${held}`);
  const log = await adsLog(page);
  const ended = log.find((l) => l.type === 'ad-end' && l.ad === 'ad1' && l.break === 'break-1');
  assert.ok(ended && ended.version === started, `ad1 played to its end on ${started}: ${JSON.stringify(ended)}`);
  const seg = (n) => page.responses.find((r) => r.url.includes(`/shows/ad1/${started}/`) && r.url.includes(`seg0000${n}.ts`));
  assert.ok(seg(2) && seg(2).status === 200 && seg(3) && seg(3).status === 200, 'the held segments were served from the old version');
  assert.deepEqual(page.responses.filter((r) => r.status >= 400), [], 'failed requests');
  assert.deepEqual((await page.evaluate(() => window.ladderPlayer.ads.adErrors)).filter((e) => e.fatal), []);
  await page.context().close();
});
