// lib.mjs: what the browser tests share: start `ladder serve` on the fixture library with the
// player page, launch Debian's Chromium through playwright-core (never a downloaded browser),
// open a show on the page and wait on the page's test hooks (window.ladderPlayer, see
// player-demo/README.md).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LADDER = process.env.LADDER || path.join(ROOT, 'build', 'ladder');
export const FIXTURE = process.env.PLAYER_FIXTURE || path.join(ROOT, 'build', 'player-fixture');
export const LIBRARY = path.join(FIXTURE, 'lib');
export const ARTIFACTS = process.env.ARTIFACTS || path.join(ROOT, 'build', 'artifacts');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const UA = {
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  android23:
    'Mozilla/5.0 (Linux; U; Android 2.3.6; en-us; Nexus S Build/GRK39F) AppleWebKit/533.1 (KHTML, like Gecko) Version/4.0 Mobile Safari/533.1',
  androidChrome:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
};

// Starts `ladder serve` on an ephemeral port; resolves to {proc, base, stop()} once it printed
// its address.
export function startOrigin(extraArgs = []) {
  const proc = spawn(
    LADDER,
    ['serve', '--library', LIBRARY, '--listen', '127.0.0.1:0', '--demo',
      path.join(ROOT, 'player-demo'), ...extraArgs],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`ladder serve did not start: ${out}`)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve({
          proc,
          base: m[1],
          stop: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGTERM'); }),
        });
      }
    });
    proc.once('exit', (code) => reject(new Error(`ladder serve exited ${code}: ${out}`)));
  });
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Headless Chromium plays with sound only after a gesture; the page must not depend on it.
    args: ['--autoplay-policy=no-user-gesture-required'],
  });
}

// A page that records every request it makes and every page error.
export async function newPage(browser, contextOptions = {}, initScript = null) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  page.requests = [];
  page.responses = [];
  page.pageErrors = [];
  page.on('request', (r) => page.requests.push(r.url()));
  page.on('response', (r) => page.responses.push({ url: r.url(), status: r.status(), headers: r.headers() }));
  page.on('pageerror', (e) => page.pageErrors.push(String(e)));
  return page;
}

// Opens /demo/ on a show through the catalog, as a viewer would: click its card.
export async function openShowFromCatalog(page, base, id) {
  await page.goto(`${base}/demo/`);
  await page.locator(`a[href$="#/watch/${id}"]`).first().click();
  await page.waitForFunction(() => window.ladderPlayer && window.ladderPlayer.path, null, { timeout: 15000 });
}

// Opens the player on a show by its URL (#/watch/<id>) and waits until ladderPlayer[ready] is
// set: 'path' once /play has answered, 'hls' once hls.js runs.
export async function openWatch(page, base, id, ready = 'path') {
  await page.goto(`${base}/demo/#/watch/${id}`);
  await page.waitForFunction((k) => window.ladderPlayer && window.ladderPlayer[k], ready, { timeout: 15000 });
}

// Waits until the video has played `seconds` past where it was when called.
export async function waitPlayed(page, seconds, timeout = 30000) {
  const start = await page.evaluate(() => window.ladderPlayer.video.currentTime);
  await page.waitForFunction(
    ([s, d]) => window.ladderPlayer.video.currentTime >= s + d, [start, seconds], { timeout, polling: 200 });
}

export function playerState(page) {
  return page.evaluate(() => {
    const p = window.ladderPlayer;
    const q = p.video.getVideoPlaybackQuality();
    const e = p.hls || p.dashView; // dash.js's view has hls.js's shape (player-demo/dashplayer.js)
    return {
      path: p.path, src: p.src, rule: p.rule, errors: p.errors, levelSwitches: p.levelSwitches,
      currentTime: p.video.currentTime, paused: p.video.paused, ended: p.video.ended,
      decodedFrames: q.totalVideoFrames, droppedFrames: q.droppedVideoFrames,
      level: e ? e.currentLevel : null, autoLevel: e ? e.autoLevelEnabled : null,
      levels: e ? e.levels.map((l) => ({ height: l.height, bitrate: l.bitrate })) : [],
    };
  });
}

// Requests a page made that did not go to the origin at base (blob: and data: stay in the page).
export function foreignRequests(page, base) {
  return page.requests.filter((u) => !u.startsWith(`${base}/`) && !/^(blob|data):/.test(u));
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

// Runs a command to completion; resolves to {code, stderr}.
export function run(cmd, args) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('exit', (code) => resolve({ code, stderr }));
  });
}
