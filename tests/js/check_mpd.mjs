// check_mpd.mjs: reads a show version's manifest.mpd with mpd-parser (the parser behind
// Video.js's DASH support) and holds it against the HLS playlists beside it: every video
// Representation is an HLS rung and every audio one an audio rendition, over the same segment
// files in the same order, each segment as long as its EXTINF (to a millisecond for video,
// two AAC frames for audio), the segments one after another from the period's start, and the
// presentation as long as the show. Prints one line per problem and exits 1 when there is any.
// Usage: node check_mpd.mjs VERSION_DIR
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'mpd-parser';

const dir = process.argv[2];
const problems = [];
const mpd = parse(fs.readFileSync(path.join(dir, 'manifest.mpd'), 'utf8'), {
  manifestUri: 'http://origin.invalid/shows/x/v1/manifest.mpd',
});

function extinf(playlist) {
  const text = fs.readFileSync(path.join(dir, playlist), 'utf8');
  const out = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.startsWith('#EXTINF:'))
      out.push({ duration: parseFloat(line.slice(8)), uri: lines[i + 1] });
  });
  return out;
}

function compare(name, folder, segments, slack) {
  const hls = extinf(`hls/${folder}/index.m3u8`);
  if (segments.length !== hls.length)
    problems.push(`${name}: ${segments.length} segments, the HLS playlist ${hls.length}`);
  let t = 0;
  segments.forEach((s, i) => {
    const h = hls[i];
    if (!h) return;
    if (s.uri !== `hls/${folder}/${h.uri}`)
      problems.push(`${name} segment ${i}: ${s.uri}, the HLS playlist names ${h.uri}`);
    if (Math.abs(s.duration - h.duration) > slack)
      problems.push(`${name} segment ${i}: ${s.duration} s, EXTINF ${h.duration} s`);
    if (Math.abs(s.presentationTime - t) > slack)
      problems.push(`${name} segment ${i} starts at ${s.presentationTime} s, not ${t}`);
    t = s.presentationTime + s.duration;
    if (!fs.existsSync(path.join(dir, s.uri))) problems.push(`${name}: ${s.uri} is missing`);
  });
  if (!fs.existsSync(path.join(dir, segments[0].map.uri)))
    problems.push(`${name}: ${segments[0].map.uri} is missing`);
  if (Math.abs(t - mpd.duration) > slack)
    problems.push(`${name} lasts ${t} s, the presentation ${mpd.duration} s`);
}

const summary = { duration: mpd.duration, video: [], audio: [] };
for (const p of mpd.playlists) {
  const name = p.attributes.NAME;
  summary.video.push([name, p.attributes.BANDWIDTH, p.segments.length]);
  compare(name, name, p.segments, 0.001);
}
for (const group of Object.values(mpd.mediaGroups.AUDIO)) {
  for (const rendition of Object.values(group)) {
    for (const p of rendition.playlists) {
      const name = p.attributes.NAME;
      summary.audio.push([name, p.attributes.BANDWIDTH, p.segments.length]);
      // the priming frame before 0 and the frame across each cut: two AAC frames of slack
      compare(name, name, p.segments, (2 * 1024) / 48000 + 0.001);
    }
  }
}
if (summary.video.length === 0) problems.push('no video Representation');
if (summary.audio.length === 0) problems.push('no audio Representation');
for (const p of problems) console.log(p);
console.log(JSON.stringify(summary));
process.exit(problems.length ? 1 : 0);
