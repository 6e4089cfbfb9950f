// test_player.mjs: the player page (player-demo/) in Debian's Chromium against `ladder serve`
// on the fixture library (fixture.py): desktop playback with no hls.js error and no request
// leaving the origin, ABR under a throttled network and back, a manual quality that sticks,
// device paths (iPhone native HLS, Android 2.3 MP4 with Range requests, Android Chrome
// hls.js), captions on time (hls.js from the HLS subtitles, the MP4 from the WebVTT sidecars),
// a re-ingest during playback, errors in words, page weight, and screenshots.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import {
  FIXTURE, LADDER, ROOT, UA, foreignRequests, launchBrowser, newPage, openShowFromCatalog, openWatch,
  playerState, run, screenshot, startOrigin, waitPlayed,
} from './lib.mjs';

let origin;
let browser;

before(async () => {
  origin = await startOrigin();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await origin?.stop();
});

test('desktop: plays from the catalog with hls.js, no error, nothing outside the origin', async () => {
  const page = await newPage(browser);
  await openShowFromCatalog(page, origin.base, 'demo');
  await waitPlayed(page, 5);
  const s = await playerState(page);
  assert.equal(s.path, 'hlsjs');
  assert.match(s.src, /\/shows\/demo\/master\.m3u8$/);
  assert.ok(s.decodedFrames > 0, `decoded frames ${s.decodedFrames}`);
  assert.deepEqual(s.errors, [], 'hls.js reported errors');
  assert.deepEqual(foreignRequests(page, origin.base), [], 'requests left the origin');
  assert.deepEqual(page.pageErrors, [], 'script errors');
  await screenshot(page, 'player-desktop');
  await page.context().close();
});

test('keyboard, captions control hidden without captions, stats panel', async () => {
  const page = await newPage(browser);
  await openWatch(page, origin.base, 'demo', 'hls');
  await waitPlayed(page, 6);
  const video = () => page.evaluate(() => {
    const v = window.ladderPlayer.video;
    return { t: v.currentTime, paused: v.paused, muted: v.muted, volume: v.volume };
  });
  await page.locator('body').click({ position: { x: 5, y: 300 } }); // focus on the page, not a control
  const before = await video();
  await page.keyboard.press('ArrowLeft');
  const back = await video();
  assert.ok(back.t < before.t - 4, `ArrowLeft: ${before.t} -> ${back.t}`);
  await page.keyboard.press('m');
  assert.equal((await video()).muted, !before.muted, 'm toggles mute');
  await page.keyboard.press('ArrowDown');
  assert.ok((await video()).volume < before.volume, 'ArrowDown lowers the volume');
  await page.keyboard.press(' ');
  assert.equal((await video()).paused, true, 'space pauses');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => !window.ladderPlayer.video.paused);
  await page.keyboard.press('f');
  await page.waitForFunction(() => document.fullscreenElement && document.fullscreenElement.id === 'player');
  await page.keyboard.press('f');
  await page.waitForFunction(() => !document.fullscreenElement);
  assert.equal(await page.isVisible('#captions'), false, 'no captions control for a show without captions');
  assert.equal(await page.isVisible('#quality'), true, 'the quality menu');
  const options = await page.$$eval('#quality option', (o) => o.map((x) => x.textContent));
  assert.equal(options[0].startsWith('Auto'), true, `menu: ${options}`);
  assert.ok(options.slice(1).every((t) => /^\d+p · [\d.]+ Mbps$/.test(t)), `rungs by height and bitrate: ${options}`);
  const stats = await page.textContent('#stats');
  for (const want of ['hls.js', 'Estimate', 'Buffer ahead', 'dropped', 'Rendition']) {
    assert.ok(stats.includes(want), `stats panel shows ${want}: ${stats}`);
  }
  await page.context().close();
});

test('no hls.js error at the start, five openings in a row', async () => {
  // The start is where Ladder's TS timestamps once left a hole that hls.js seeked over
  // (bufferSeekOverHole): every opening must be clean, not most of them.
  for (let i = 0; i < 5; i++) {
    const page = await newPage(browser);
    await openWatch(page, origin.base, 'demo');
    await waitPlayed(page, 1.5);
    const s = await playerState(page);
    assert.deepEqual(s.errors, [], `opening ${i + 1}: hls.js errors`);
    await page.context().close();
  }
});

test('ABR: throttled to 300 kbit/s it drops to a two lowest rung, then climbs back', async () => {
  const page = await newPage(browser, {}, () => {
    window.LADDER_HLS_CONFIG = { maxBufferLength: 4, maxMaxBufferLength: 8 };
  });
  await openWatch(page, origin.base, 'demo', 'hls');
  await waitPlayed(page, 3);
  const levels = (await playerState(page)).levels;
  const byBitrate = levels.map((l, i) => [l.bitrate, i]).sort((a, b) => a[0] - b[0]);
  const lowest = new Set(byBitrate.slice(0, 2).map(([, i]) => i));

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 40, downloadThroughput: 300000 / 8, uploadThroughput: 300000 / 8,
  });
  const throttledAt = Date.now();
  await page.waitForFunction(
    (low) => low.includes(window.ladderPlayer.hls.currentLevel), [...lowest], { timeout: 20000, polling: 250 });
  const downIn = (Date.now() - throttledAt) / 1000;

  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
  });
  await page.waitForFunction(
    (low) => !low.includes(window.ladderPlayer.hls.currentLevel), [...lowest], { timeout: 30000, polling: 250 });
  const s = await playerState(page);
  assert.ok(!lowest.has(s.level), `back up to level ${s.level}`);
  assert.deepEqual(s.errors.filter((e) => e.fatal), [], 'fatal hls.js errors');
  console.log(`# ABR: down to a lowest rung ${downIn.toFixed(1)} s after the throttle; back up to ${levels[s.level].height}p`);
  await page.context().close();
});

test('a manual quality choice sticks', async () => {
  const page = await newPage(browser);
  await page.goto(`${origin.base}/demo/#/watch/demo`);
  await page.waitForFunction(() => window.ladderPlayer && window.ladderPlayer.hls && window.ladderPlayer.hls.levels.length > 1);
  await waitPlayed(page, 1);
  const levels = (await playerState(page)).levels;
  const lowest = levels.reduce((best, l, i) => (l.bitrate < levels[best].bitrate ? i : best), 0);
  // The menu, as a viewer would use it; on loopback Auto would climb to the top.
  await page.selectOption('#quality', String(lowest));
  await page.waitForFunction((i) => window.ladderPlayer.hls.currentLevel === i, lowest, { timeout: 20000 });
  await waitPlayed(page, 8);
  const s = await playerState(page);
  assert.equal(s.level, lowest, 'still on the chosen level');
  assert.equal(s.autoLevel, false, 'auto level is off');
  assert.equal(await page.inputValue('#quality'), String(lowest));
  await page.context().close();
});

test('iPhone: the native HLS path with the HLS URL', async () => {
  // Playwright's device descriptors change the user agent, not the engine: an iPhone has no
  // MediaSource, so the page is given none, as on the device.
  const page = await newPage(browser, { userAgent: UA.iphone, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, () => {
    delete window.MediaSource;
    delete window.ManagedMediaSource;
    delete window.WebKitMediaSource;
  });
  await openWatch(page, origin.base, 'demo');
  const s = await playerState(page);
  assert.equal(s.path, 'native');
  assert.match(s.src, /\/shows\/demo\/master\.m3u8$/);
  // Debian's Chromium plays HLS itself once MSE is gone, so the native path really plays.
  await waitPlayed(page, 2);
  await page.context().close();
});

// A page that /play takes for an Android 2.3 phone, which gets an MP4.
async function android23Page() {
  const page = await newPage(browser, { userAgent: UA.android23, viewport: { width: 480, height: 800 } });
  // Chromium derives client hints from an overridden user agent (Sec-CH-UA-Platform:
  // "Android", a Chromium 156 brand), which an Android 2.3 browser never sends and which the
  // device rules rightly read as a modern Android Chrome. Blank them, as that phone would.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setUserAgentOverride', {
    userAgent: UA.android23,
    userAgentMetadata: { brands: [], fullVersionList: [], platform: '', platformVersion: '', architecture: '', model: '', mobile: true },
  });
  return page;
}

test('Android 2.3: the MP4 fallback, played with Range requests', async () => {
  const page = await android23Page();
  await openWatch(page, origin.base, 'demo');
  const s = await playerState(page);
  assert.equal(s.path, 'mp4');
  assert.match(s.src, /\/shows\/demo\/v\d+\/mp4\/mp4-[a-z0-9-]+\.mp4$/);
  assert.equal(s.rule, 'android-2-3');
  await waitPlayed(page, 2);
  const ranged = page.responses.filter((r) => r.url.includes('/mp4/') && r.status === 206);
  assert.ok(ranged.length > 0, `206 answers for the MP4: ${JSON.stringify(page.responses.filter((r) => r.url.includes('/mp4/')))}`);
  assert.ok(ranged.every((r) => /^bytes \d+-\d+\/\d+$/.test(r.headers['content-range'])), 'Content-Range');
  await page.context().close();
});

// ---- captions -----------------------------------------------------------------------------
// The `captions` show (fixture.py) has English (the SRT the fixture wrote, read back here for
// the times it says) and Spanish SDH tracks. SRT times count from the first picture. A cue is
// on time when the video's clock, read as the cue enters the track's activeCues, is at most
// 0.2 s before or 0.5 s after the SRT time plus where the first picture is on that clock (the
// start of the buffer: 0 in an MP4, 21-67 ms in hls.js, docs/player.md). A wrong X-TIMESTAMP-MAP in the
// HLS segments, or a sidecar not counting from the first picture, moves that; hls.js's own
// cue.startTime would follow either, so it is only reported. Late is allowed more than early:
// a loaded machine delays the cuechange event, never brings it forward (a CI run with both
// cores busy saw a sidecar cue whose startTime was exact come on 296 ms late).
const CUE_EARLY = 0.2;
const CUE_LATE = 0.5;
const SEGMENT = 6; // player-ladder.xml's segment-seconds

function englishCues() {
  const secs = (t) => t.split(/[:,.]/).map(Number).reduce((acc, v, i) => (i < 3 ? acc * 60 + v : acc + v / 1000), 0);
  return readFileSync(`${FIXTURE}/en.srt`, 'utf8').trim().split(/\r?\n\r?\n/).map((block) => {
    const lines = block.split(/\r?\n/);
    const k = lines.findIndex((l) => l.includes('-->'));
    const [a, b] = lines[k].split('-->').map((x) => secs(x.trim()));
    return { start: a, end: b, text: lines.slice(k + 1).join('\n') };
  });
}

// From now on, records for each cue text the video time at which it first became active, on
// every text track the video has or gets.
function recordCues(page) {
  return page.evaluate(() => {
    const v = window.ladderPlayer.video;
    const log = window.cueLog = {};
    const watch = (t) => t.addEventListener('cuechange', () => {
      for (const c of t.activeCues || []) {
        if (!(c.text in log)) log[c.text] = { at: v.currentTime, cueStart: c.startTime, track: t.label };
      }
    });
    [...v.textTracks].forEach(watch);
    v.textTracks.addEventListener('addtrack', (e) => watch(e.track));
  });
}

// Plays past the last cue, then checks that every cue came on time; returns the errors.
async function checkCuesOnTime(page, cues, what) {
  const last = cues[cues.length - 1];
  await page.waitForFunction((t) => window.ladderPlayer.video.currentTime >= t, last.start + 1,
    { timeout: 60000, polling: 200 });
  const { log, first } = await page.evaluate(() => ({ log: window.cueLog, first: window.ladderPlayer.video.buffered.start(0) }));
  assert.ok(first >= 0 && first < 0.1, `${what}: first picture at ${first} s`);
  const errors = cues.map((c) => {
    const hit = log[c.text];
    assert.ok(hit, `${what}: "${c.text}" (${c.start} s) never became active; active cues seen: ${JSON.stringify(log)}`);
    assert.equal(hit.track, 'English', `${what}: "${c.text}" came from ${hit.track}`);
    const err = hit.at - (first + c.start);
    assert.ok(err >= -CUE_EARLY && err <= CUE_LATE,
      `${what}: "${c.text}" written at ${c.start} s (${(first + c.start).toFixed(3)} s on a clock whose first picture is at ${first.toFixed(3)} s) became active at ${hit.at.toFixed(3)} s (cue.startTime ${hit.cueStart.toFixed(3)})`);
    return err;
  });
  console.log(`# captions ${what}: first picture at ${(first * 1000).toFixed(0)} ms; cues active ${errors.map((e) => `${(e * 1000).toFixed(0)} ms`).join(', ')} after their time`);
  return errors;
}

// Chooses a track in the captions menu early enough that every cue is still ahead.
async function chooseCaptions(page, label, cues) {
  await page.selectOption('#captions', { label });
  const at = await page.evaluate(() => window.ladderPlayer.video.currentTime);
  assert.ok(at < cues[0].start - 0.5, `${label} chosen at ${at} s, too late to see the first cue begin`);
}

test('captions, hls.js: the menu lists the HLS subtitles, the chosen track shows each cue on time', async () => {
  const cues = englishCues();
  assert.ok(cues.some((c) => c.start < SEGMENT) && cues.some((c) => c.start > SEGMENT), `cues in and after the first segment: ${JSON.stringify(cues)}`);
  const page = await newPage(browser);
  await openWatch(page, origin.base, 'captions', 'hls');
  await page.waitForSelector('#captions', { state: 'visible', timeout: 15000 });
  const labels = await page.$$eval('#captions option', (o) => o.map((x) => x.textContent));
  assert.deepEqual(labels, ['Off', 'English', 'Español']);
  // DEFAULT=NO in the master: nothing is shown until the viewer asks.
  assert.equal(await page.inputValue('#captions'), '-1', 'captions start off');
  assert.equal(await page.evaluate(() => window.ladderPlayer.hls.subtitleTrack), -1, 'hls.js starts with no subtitle track');
  await recordCues(page);
  await chooseCaptions(page, 'English', cues);
  await checkCuesOnTime(page, cues, 'hls.js');
  await screenshot(page, 'player-captions');
  const tracks = await page.evaluate(() => [...window.ladderPlayer.video.textTracks].map((t) => ({
    label: t.label, kind: t.kind, mode: t.mode, texts: t.cues ? [...t.cues].map((c) => c.text) : [] })));
  const en = tracks.find((t) => t.label === 'English');
  assert.equal(en.mode, 'showing', JSON.stringify(tracks));
  // The cue across the 12 s boundary is in two WebVTT segments: it must be in the track once.
  for (const c of cues) assert.equal(en.texts.filter((x) => x === c.text).length, 1, `"${c.text}" once: ${en.texts}`);
  const es = tracks.find((t) => t.label === 'Español');
  assert.equal(es && es.kind, 'captions', `SDH (CHARACTERISTICS) is kind captions: ${JSON.stringify(tracks)}`);
  assert.deepEqual(tracks.filter((t) => t.mode === 'showing').map((t) => t.label), ['English']);
  await page.selectOption('#captions', { label: 'Off' });
  await page.waitForFunction(() => [...window.ladderPlayer.video.textTracks].every((t) => t.mode !== 'showing'));
  assert.equal(await page.evaluate(() => window.ladderPlayer.hls.subtitleTrack), -1, 'Off: no subtitle track');
  assert.deepEqual((await playerState(page)).errors, [], 'hls.js errors');
  assert.deepEqual(page.pageErrors, [], 'script errors');
  await page.context().close();
});

test('captions, Android 2.3 MP4: the sidecars of the same version as <track>s, each cue on time', async () => {
  const cues = englishCues();
  const page = await android23Page();
  await openWatch(page, origin.base, 'captions');
  const s = await playerState(page);
  assert.equal(s.path, 'mp4');
  const version = (s.src.match(/^\/shows\/captions\/(v\d+)\/mp4\/[^/]+\.mp4$/) || [])[1];
  assert.ok(version, `MP4 URL ${s.src}`);
  await page.waitForSelector('#captions', { state: 'visible', timeout: 15000 });
  const tracks = await page.$$eval('video track', (ts) => ts.map((t) => ({
    kind: t.kind, srclang: t.srclang, label: t.label, src: new URL(t.src).pathname })));
  assert.deepEqual(tracks, [
    { kind: 'subtitles', srclang: 'en', label: 'English', src: `/shows/captions/${version}/subtitles/en.vtt` },
    { kind: 'captions', srclang: 'es', label: 'Español', src: `/shows/captions/${version}/subtitles/es.vtt` },
  ]);
  const labels = await page.$$eval('#captions option', (o) => o.map((x) => x.textContent));
  assert.deepEqual(labels, ['Off', 'English', 'Español']);
  assert.equal(await page.inputValue('#captions'), '-1', 'captions start off');
  await recordCues(page);
  await chooseCaptions(page, 'English', cues);
  const errors = await checkCuesOnTime(page, cues, 'MP4');
  // A sidecar's times are the cues' own: exact, whatever the machine's load.
  const log = await page.evaluate(() => window.cueLog);
  for (const c of cues) {
    assert.ok(Math.abs(log[c.text].cueStart - c.start) < 0.001,
      `MP4: "${c.text}" has startTime ${log[c.text].cueStart} in the sidecar, SRT says ${c.start}`);
  }
  assert.equal(errors.length, cues.length);
  const modes = await page.evaluate(() => [...window.ladderPlayer.video.textTracks].map((t) => `${t.label}:${t.mode}`));
  assert.deepEqual(modes, ['English:showing', 'Español:disabled']);
  // Caption sidecars only: the seek bar's thumbnails track (thumbnails/*.vtt) is not one.
  const vtt = page.responses.filter((r) => r.url.endsWith('.vtt') && new URL(r.url).pathname.includes('/subtitles/'));
  assert.deepEqual(vtt.map((r) => [new URL(r.url).pathname, r.status]), [[`/shows/captions/${version}/subtitles/en.vtt`, 200]],
    'only the chosen sidecar is fetched');
  assert.deepEqual(page.pageErrors, [], 'script errors');
  await page.context().close();
});

test('Android Chrome: hls.js', async () => {
  const page = await newPage(browser, { userAgent: UA.androidChrome, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await openWatch(page, origin.base, 'demo');
  await waitPlayed(page, 3);
  const s = await playerState(page);
  assert.equal(s.path, 'hlsjs');
  assert.match(s.src, /\/shows\/demo\/master\.m3u8$/);
  assert.deepEqual(s.errors, []);
  await screenshot(page, 'player-phone');
  await page.goto(`${origin.base}/demo/`);
  await page.waitForSelector('a[href$="#/watch/demo"]');
  await screenshot(page, 'catalog-phone');
  await page.context().close();
});

test('re-ingest during playback: playback goes on to the end on its version', async () => {
  const page = await newPage(browser);
  await openWatch(page, origin.base, 'demo', 'hls');
  await waitPlayed(page, 2);
  const before = await (await fetch(`${origin.base}/shows/demo/show.json`)).json();
  // Niced so the encoders do not starve the browser on two cores.
  const ingest = await run('nice', ['-n', '19', LADDER, 'ingest', `${FIXTURE}/clip.mp4`, '--id', 'demo',
    '--title', 'Player test', '--library', `${FIXTURE}/lib`, '--profile',
    `${ROOT}/tests/browser/player-ladder.xml`, '--quiet']);
  assert.equal(ingest.code, 0, ingest.stderr);
  const afterJson = await (await fetch(`${origin.base}/shows/demo/show.json`)).json();
  assert.ok(afterJson.version > before.version, `new version ${afterJson.version} > ${before.version}`);
  assert.ok(!(await page.evaluate(() => window.ladderPlayer.video.ended)), 're-ingest ended before playback did');
  await page.waitForFunction(() => window.ladderPlayer.video.ended, null, { timeout: 90000, polling: 500 });
  const s = await playerState(page);
  assert.deepEqual(s.errors, [], 'hls.js errors');
  assert.ok(s.currentTime > 55, `played to ${s.currentTime}`);
  const failed = page.responses.filter((r) => r.status >= 400);
  assert.deepEqual(failed, [], 'failed requests');
  const versions = new Set(page.requests.map((u) => (u.match(/\/shows\/demo\/(v\d+)\//) || [])[1]).filter(Boolean));
  assert.equal(versions.size, 1, `segments from one version: ${[...versions]}`);
  await page.context().close();
});

test('errors in words: unpublished show, and a network drop that recovers', async () => {
  // A short buffer goal, so the player is still downloading when the network goes.
  const page = await newPage(browser, {}, () => {
    window.LADDER_HLS_CONFIG = { maxBufferLength: 4, maxMaxBufferLength: 8 };
  });
  await page.goto(`${origin.base}/demo/#/watch/no-such-show`);
  await page.waitForFunction(() => /not published/i.test(document.querySelector('#message')?.textContent || ''), null, { timeout: 10000 });

  await page.goto(`${origin.base}/demo/#/watch/demo`);
  await page.reload();
  await page.waitForFunction(() => window.ladderPlayer && window.ladderPlayer.hls);
  await waitPlayed(page, 1);
  await page.route('**/*.ts', (r) => r.abort('internetdisconnected'));
  await page.waitForFunction(() => /network/i.test(document.querySelector('#message')?.textContent || ''), null, { timeout: 40000, polling: 250 });
  await page.unroute('**/*.ts');
  await waitPlayed(page, 3, 40000);
  await page.waitForFunction(() => !/network/i.test(document.querySelector('#message')?.textContent || ''), null, { timeout: 15000 });
  await page.context().close();
});

test('show report and page weight', async () => {
  const page = await newPage(browser);
  await page.goto(`${origin.base}/demo/#/report/demo`);
  await page.waitForFunction(() => document.querySelectorAll('svg circle, svg rect').length > 5, null, { timeout: 10000 });
  await screenshot(page, 'report-desktop');
  // What the page itself costs over the wire (gzip, as the origin serves it), hls.js excluded.
  await page.goto(`${origin.base}/demo/`);
  await page.waitForSelector('a[href$="#/watch/demo"]');
  const own = [...new Set(page.requests.filter((u) => u.startsWith(`${origin.base}/demo/`) && !u.includes('/vendor/')))];
  let bytes = 0;
  for (const u of own) {
    const body = Buffer.from(await (await fetch(u)).arrayBuffer());
    bytes += gzipSync(body, { level: 9 }).length;
  }
  console.log(`# page weight: ${own.length} files, ${bytes} bytes gzipped (hls.js excluded)`);
  assert.ok(own.length >= 2, `the page's own files: ${own}`);
  assert.ok(bytes < 60 * 1024, `${bytes} bytes gzipped`);
  await screenshot(page, 'catalog-desktop');
  await page.context().close();
});
