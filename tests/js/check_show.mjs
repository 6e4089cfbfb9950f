// check_show.mjs SHOW_DIR: reads a published show with third-party parsers. hls-parser in
// strict mode must parse every playlist, subtitle playlists included; mp4box.js must report every MP4 as not fragmented,
// progressive (moov before mdat), with an avc1 video track of the rung's profile.
// Prints one line per failed check and "N passed, N failed"; exits 1 on any failure.
import fs from 'node:fs';
import path from 'node:path';
import HLS from 'hls-parser';
import MP4Box from 'mp4box';

const show = process.argv[2];
let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed++; else { failed++; console.log(`FAIL ${what}`); }
}

HLS.setOptions({ strictMode: true });
function parsePlaylist(rel) {
  try {
    return HLS.parse(fs.readFileSync(path.join(show, rel), 'utf8'));
  } catch (e) {
    check(false, `hls-parser (strict) reads ${rel}: ${e.message}`);
    return null;
  }
}

const master = parsePlaylist('master.m3u8');
check(master && master.isMasterPlaylist, 'master.m3u8 is a multivariant playlist');
const streams = master ? master.variants.filter(v => !v.isIFrameOnly) : [];
const iframes = master ? master.variants.filter(v => v.isIFrameOnly) : [];
for (const v of streams) {
  const media = parsePlaylist(v.uri);
  check(media && !media.isMasterPlaylist && media.endlist && media.playlistType === 'VOD',
        `${v.uri} is a complete VOD media playlist`);
  check(v.bandwidth > 0 && v.averageBandwidth > 0 && v.codecs,
        `${v.uri} carries BANDWIDTH, AVERAGE-BANDWIDTH, CODECS`);
}
for (const v of iframes) {
  const media = parsePlaylist(v.uri);
  check(media && media.isIFrame && media.segments.length > 0 &&
        media.segments.every(s => s.byterange),
        `${v.uri} is an I-frame playlist with byte ranges`);
}
// Subtitle renditions (EXT-X-MEDIA TYPE=SUBTITLES): each playlist parses, is complete, and has
// the video's segments, one WebVTT file each.
const videoSegments = streams.length ? (parsePlaylist(streams[0].uri) || { segments: [] }).segments : [];
const subtitles = new Map();
for (const v of streams)
  for (const r of v.subtitles || []) subtitles.set(r.uri, r);
for (const [uri, r] of subtitles) {
  const media = parsePlaylist(uri);
  check(r.language && r.name, `${uri}: the rendition has LANGUAGE and NAME`);
  check(media && media.endlist && media.playlistType === 'VOD' &&
        media.segments.length === videoSegments.length &&
        media.segments.every((s, i) => s.uri.endsWith('.vtt') &&
                             Math.abs(s.duration - videoSegments[i].duration) < 1e-3),
        `${uri}: a complete VOD playlist of WebVTT segments cut as the video is`);
}

check(streams.length > 1 && iframes.length === streams.length - 1,
      'one I-frame playlist per video variant (all but the audio-only one)');

// mp4box.js reads an MP4 held in a Buffer; returns its info or null.
function mp4Info(data, name) {
  const file = MP4Box.createFile();
  let info = null;
  file.onReady = i => { info = i; };
  file.onError = e => check(false, `mp4box reads ${name}: ${e}`);
  const buf = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  buf.fileStart = 0;
  file.appendBuffer(buf);
  file.flush();
  return info;
}

// fMP4 variants: the init segment plus the first media segment read as fragmented MP4 whose
// video codec is the one the multivariant playlist announces.
for (const v of streams) {
  const media = parsePlaylist(v.uri);
  const map = media && media.segments.length && media.segments[0].map;
  if (!map) continue;
  const dir = path.dirname(path.join(show, v.uri));
  const data = Buffer.concat([fs.readFileSync(path.join(dir, map.uri)),
                              fs.readFileSync(path.join(dir, media.segments[0].uri))]);
  const info = mp4Info(data, `${v.uri} init+first segment`);
  check(info && info.isFragmented, `${v.uri}: init.mp4 + first segment is fragmented MP4`);
  const want = v.codecs.split(',').find(c => c.startsWith('avc1.'));
  if (want)
    check(info && info.videoTracks.length === 1 && info.videoTracks[0].codec === want,
          `${v.uri}: fMP4 video codec ${info && info.videoTracks[0] && info.videoTracks[0].codec} is CODECS' ${want}`);
}

const PROFILE = { baseline: 0x42, main: 0x4d, high: 0x64 };
// A published show folder (LIBRARY/ID) keeps its files in the version `current` points at.
const files = fs.existsSync(path.join(show, 'current')) ? path.join(show, 'current') : show;
const mp4dir = path.join(files, 'mp4');
for (const name of fs.existsSync(mp4dir) ? fs.readdirSync(mp4dir).sort() : []) {
  const info = mp4Info(fs.readFileSync(path.join(mp4dir, name)), name);
  check(info !== null, `mp4box reads ${name}`);
  if (!info) continue;
  check(!info.isFragmented, `${name} is not fragmented`);
  check(info.isProgressive, `${name} has moov before mdat`);
  const video = info.videoTracks[0];
  check(video && video.codec.startsWith('avc1.'), `${name} has an avc1 video track (${video && video.codec})`);
  const want = name.startsWith('mp4-1080p') ? PROFILE.main : PROFILE.baseline;
  check(video && parseInt(video.codec.slice(5, 7), 16) === want,
        `${name} has the rung's profile (${video && video.codec})`);
  check(info.audioTracks.length === 1 && info.audioTracks[0].codec === 'mp4a.40.2', `${name} has AAC-LC audio`);
}
console.log(`js-checks: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
