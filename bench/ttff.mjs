// bench/ttff.mjs BASE ID RUNS: time to first frame of the player page against a bare hls.js
// page on the same show, in Debian's Chromium, alternating the two pages run by run. Time to
// first frame = from navigation start to the video's first `playing` event (performance.now()
// at that event, whose origin is the navigation). Prints one JSON object with every sample.
import { chromium } from 'playwright-core';

const [base, id, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
const pages = {
  demo: { url: `${base}/demo/#/watch/${id}`, read: () => window.ladderPlayer && window.ladderPlayer.firstPlayingAt },
  bare: { url: `${base}/demo/bare.html#/shows/${id}/master.m3u8`, read: () => window.firstPlayingAt },
};
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--autoplay-policy=no-user-gesture-required'],
});
const samples = { demo: [], bare: [] };
for (let i = 0; i < runs; i++) {
  for (const name of i % 2 ? ['bare', 'demo'] : ['demo', 'bare']) {
    const context = await browser.newContext(); // a cold HTTP cache every time
    const page = await context.newPage();
    await page.goto(pages[name].url);
    const handle = await page.waitForFunction(pages[name].read, null, { timeout: 30000, polling: 'raf' });
    samples[name].push(await handle.jsonValue());
    await context.close();
  }
}
await browser.close();
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const demo = median(samples.demo), bare = median(samples.bare);
console.log(JSON.stringify({ runs, demo_ms: demo, bare_ms: bare, ratio: demo / bare, samples }));
