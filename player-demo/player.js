// player.js: the player view. Asks the origin's /play which format this device gets, plays it
// with hls.js, the browser's own HLS, dash.js (dashplayer.js) or an MP4, and owns the toolbar
// (quality, captions), the seek bar's thumbnails (thumbs.js), the keyboard, the words shown
// for errors and the window.ladderPlayer hooks the tests read.
import { createAds } from './ads.js';
import { loadDashJs, startDash } from './dashplayer.js';
import { startStats } from './stats.js';
import { attachThumbs, pickThumbs } from './thumbs.js';
import { mbps, getShow } from './util.js';

const H264_AAC = 'video/mp4; codecs="avc1.42E01E,mp4a.40.2"';
const HAVE_FUTURE_DATA = 3;
const $ = (id) => document.getElementById(id);

class Words extends Error {}
const UNREACHABLE = 'The origin cannot be reached. Check the connection, then reload.';

// hls.js's own advice: MSE through hls.js where plain MSE plays H.264+AAC; the native player
// where MSE is missing or where ManagedMediaSource exists (Safari, whose native HLS is better).
// Chromium answering "maybe" for application/vnd.apple.mpegurl is not a reason to go native.
export function canUseHlsJs() {
  return !!(window.Hls && Hls.isSupported() && window.MediaSource &&
    MediaSource.isTypeSupported(H264_AAC) && !window.ManagedMediaSource);
}
// dash.js needs MSE (or Safari's ManagedMediaSource, which dash.js 5 uses) playing H.264+AAC.
export function canUseDashJs() {
  const M = window.MediaSource || window.ManagedMediaSource;
  return !!(M && M.isTypeSupported && M.isTypeSupported(H264_AAC));
}

// The format the page's URL asks /play for: `format=` in the hash's query
// (#/watch/<id>?format=dash) or in the page's own query; '' lets the device rules decide.
export function askedFormat() {
  const q = location.hash.includes('?') ? location.hash.split('?')[1] : location.search.slice(1);
  const f = new URLSearchParams(q).get('format') || '';
  return /^(hls|mp4|dash)$/.test(f) ? f : '';
}

// The one decision: the origin's device rules say HLS, DASH or MP4; the page only follows it.
// format: '' (the rules decide), or 'hls', 'mp4', 'dash' to ask for one.
async function askPlay(id, format, signal) {
  const url = `/play/${encodeURIComponent(id)}${format ? `?format=${format}` : ''}`;
  let r;
  try {
    r = await fetch(url, { headers: { Accept: 'application/json' }, signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new Words(UNREACHABLE);
  }
  return checkAnswer(r.status, await r.json().catch(() => null));
}

function checkAnswer(status, a) {
  if (status === 404) throw new Words('This show is not published.');
  if (status !== 200) throw new Words(`The origin answered ${status} when asked how to play this show.`);
  if (!a || !a.url || !['hls', 'mp4', 'dash'].includes(a.format)) {
    throw new Words('The origin did not say how to play this show.');
  }
  return a;
}

// index.html asks /play as soon as it is parsed, before the modules run, and reads the JSON
// there too: by the time the player opens, the answer is usually a settled promise, so hls.js
// starts within the same task, before the page's first layout and paint (which cost the time
// to first frame ~80 ms on a slow machine when they came first). The first player opened on
// that show takes the answer.
function takeEarlyAnswer(id, format) {
  const early = window.ladderEarlyPlay;
  window.ladderEarlyPlay = null;
  if (!early || early.id !== id || (early.format || '') !== format) return null;
  return early.reply.then((r) => checkAnswer(r.status, r.answer), () => {
    throw new Words(UNREACHABLE);
  });
}

export function openPlayer(id, showEntry) {
  const ac = new AbortController();
  const timers = new Set();
  const later = (fn, ms) => { const t = setTimeout(() => { timers.delete(t); fn(); }, ms); timers.add(t); };
  const box = $('player'), q = $('quality'), cc = $('captions'), unmute = $('unmute');

  // A fresh <video> per show: no listener or MediaSource of the previous one can leak in.
  const video = document.createElement('video');
  video.id = 'video';
  video.controls = true;
  video.playsInline = true;
  video.preload = 'auto';
  video.muted = false;
  box.querySelector('video')?.remove();
  box.prepend(video);
  delete box.dataset.path;
  box.classList.add('loading');

  const lp = window.ladderPlayer = {
    path: null, src: null, rule: null, hls: null, dash: null, dashView: null, thumbs: null, video,
    errors: [], levelSwitches: [], firstPlayingAt: null,
    setQuality, ads: null,
  };
  // What the stats panel needs beyond the hooks.
  const st = { manual: false, fallback: false, renditions: null, mp4: [], wantPlay: false,
    backoff: 1000, mediaRecoveries: 0, lastRecovery: 0 };

  $('show-title').textContent = id;
  $('report-link').href = `#/report/${encodeURIComponent(id)}`;
  $('share-link').href = `/watch/${encodeURIComponent(id)}`;
  show($('quality-wrap'), q, false);
  show($('captions-wrap'), cc, false);
  unmute.hidden = true;
  say('Loading…', 'info');

  function say(text, kind = 'error') {
    const m = $('message');
    m.textContent = text;
    m.dataset.kind = text ? kind : '';
  }
  const clearInfo = () => { if ($('message').dataset.kind === 'info') say(''); };

  // ---- starting playback without tripping hls.js's gap controller --------------------------
  // hls.js puts 0 of its timeline at the lowest timestamp of the first TS segment, and a
  // Ladder show's first picture comes 21 ms (AAC priming, Baseline rungs) to 67 ms (B-frame
  // decode delay) after that (docs/player.md). Playing from 0 would stall in that lead-in and
  // hls.js would seek over it, reporting bufferSeekOverHole. Starting just past 0
  // (startPosition below) lets hls.js move the start to the first picture as the first
  // segment is appended; play() waits until the element has data.
  function requestPlay() {
    st.wantPlay = true;
    if (video.readyState >= HAVE_FUTURE_DATA) doPlay();
  }
  async function doPlay() {
    st.wantPlay = false;
    try {
      await video.play();
    } catch (e) {
      // Autoplay with sound is refused until the viewer interacts; muted is allowed.
      if (e.name !== 'NotAllowedError' || video.muted) return;
      video.muted = true;
      unmute.hidden = false;
      try { await video.play(); } catch { say('Press play to start.', 'info'); }
    }
  }
  function togglePlay() {
    if (video.paused && !st.wantPlay) requestPlay();
    else { st.wantPlay = false; video.pause(); }
  }

  const on = (el, type, fn, o) => el.addEventListener(type, fn, { signal: ac.signal, ...o });
  // Ad breaks (ads.js): the badge, the seek bar's marks, the MP4 path's source swaps, beacons.
  const ads = createAds({ id, video, box, on, later, lp, signal: ac.signal });
  lp.ads = ads.state;
  // Work the first frame does not need waits for it (or for 2 s without one).
  const afterFirstFrame = (fn) => {
    let done = false;
    const run = () => { if (!done && !ac.signal.aborted) { done = true; fn(); } };
    on(video, 'playing', run, { once: true });
    later(run, 2000);
  };
  on(video, 'canplay', () => { if (st.wantPlay) doPlay(); });
  on(video, 'playing', () => {
    if (lp.firstPlayingAt === null) lp.firstPlayingAt = performance.now();
    box.classList.remove('loading');
    clearInfo();
  });
  on(video, 'volumechange', () => { if (!video.muted) unmute.hidden = true; });
  on(unmute, 'click', () => { video.muted = false; unmute.hidden = true; if (video.paused) requestPlay(); });
  on(video, 'error', () => {
    if (lp.path === 'hlsjs' || lp.path === 'dashjs') return; // hls.js and dash.js report these
    const code = video.error && video.error.code;
    box.classList.remove('loading');
    say(code === 2 ? 'The network dropped while loading the video. Reload to try again.'
      : code === 3 ? 'The video could not be decoded on this device.'
      : code === 4 ? 'This browser cannot play this format.'
      : 'The video stopped with an error.');
  });

  // ---- the decision and the three paths ----------------------------------------------------
  (async () => {
    try {
      // Playback starts on /play's answer alone; the catalog entry (title, MP4 list) fills in
      // after the first frame, so it never delays it.
      const asked = askedFormat();
      let ans = await (takeEarlyAnswer(id, asked) || askPlay(id, asked, ac.signal));
      if (ac.signal.aborted) return;
      video.poster = `/shows/${encodeURIComponent(id)}/poster.jpg`;
      afterFirstFrame(() => showEntry().then((entry) => {
        if (!entry || ac.signal.aborted) return;
        st.mp4 = entry.mp4 || [];
        if (entry.title) {
          $('show-title').textContent = entry.title;
          document.title = `${entry.title} · Ladder`;
        }
        if (lp.path === 'mp4') buildMp4Menu();
      }));
      let a = ans, path;
      // DASH where dash.js can play it; else the same show as HLS, played as below.
      if (ans.format === 'dash' && !canUseDashJs()) {
        st.dashRule = ans.rule;
        ans = a = await askPlay(id, 'hls', ac.signal);
      }
      if (ans.format === 'dash') path = 'dashjs';
      else if (ans.format === 'hls') {
        if (canUseHlsJs()) path = 'hlsjs';
        else if (video.canPlayType('application/vnd.apple.mpegurl')) path = 'native';
        else {
          a = await askPlay(id, 'mp4', ac.signal);
          if (a.format !== 'mp4') throw new Words('This browser plays neither HLS nor MSE, and this show has no MP4.');
          path = 'mp4';
          st.fallback = true;
          st.hlsRule = ans.rule;
        }
      } else path = 'mp4';
      if (ac.signal.aborted) return;
      Object.assign(lp, { path, src: a.url, rule: a.rule || '' });
      box.dataset.path = path;
      if (path === 'hlsjs') { startHls(a.url); requestPlay(); }
      else if (path === 'dashjs') {
        const dashjs = await loadDashJs();
        if (ac.signal.aborted) return;
        startDashJs(dashjs, a.url);
        requestPlay();
      }
      else if (path === 'mp4') {
        // The ads module sets the source: a pre-roll comes before the show.
        ads.startMp4(a.url, a.breaks, requestPlay);
        buildMp4Menu();
        watchTextTracks();
      } else {
        video.src = a.url;
        watchTextTracks();
        requestPlay();
      }
      // The measured figures are for the stats panel, and on the MP4 path the captions: fetched
      // once the picture is moving. An MP4 is read with its own version's show.json, whose
      // sidecar paths are relative to that version (a re-ingest may have moved `current` on).
      const base = versionBase(a.url);
      afterFirstFrame(() => getShow(id, ac.signal, base || undefined).then((info) => {
        st.renditions = Object.fromEntries((info.renditions || []).map((r) => [r.name, r]));
        if (lp.path === 'mp4') buildMp4Menu();
        if (base && lp.path === 'mp4') addSidecars(info.captions || [], base);
        startThumbs(info, base || `/shows/${encodeURIComponent(id)}/v${info.version}`);
      }, () => {}));
    } catch (e) {
      if (e.name === 'AbortError' || ac.signal.aborted) return;
      box.classList.remove('loading');
      say(e instanceof Words ? e.message : `This show cannot be played here (${e.message}).`);
    }
  })();

  function startHls(url) {
    // startPosition: just past 0, so that hls.js's start-position check (current time below
    // the start position, buffer start within maxBufferHole of it) moves the start to the
    // first picture; see "starting playback" above.
    const defaults = { capLevelToPlayerSize: false, startPosition: 0.001 };
    const hls = new Hls(Object.assign({}, defaults, window.LADDER_HLS_CONFIG || {}));
    lp.hls = hls;
    const E = Hls.Events;
    hls.on(E.ERROR, (_, d) => {
      // hls.js cancelling its own download (a subtitle track turned off, a level switched
      // mid-fragment) is no fault: not counted, and no "network dropped" for the viewer.
      if (!d.fatal && d.details === (Hls.ErrorDetails.INTERNAL_ABORTED || 'aborted')) return;
      lp.errors.push({ type: d.type, details: d.details, fatal: !!d.fatal,
        reason: d.reason || (d.error && d.error.message) || '' });
      if (d.fatal) onFatal(hls, d);
      // hls.js retries a failed download by itself for a while before giving up (fatal): the
      // viewer should know why the picture waits meanwhile.
      else if (d.type === Hls.ErrorTypes.NETWORK_ERROR) say('The network dropped, retrying…', 'info');
    });
    hls.on(E.MANIFEST_PARSED, buildHlsMenu);
    hls.on(E.LEVEL_SWITCHED, (_, d) => {
      const l = hls.levels[d.level] || {};
      lp.levelSwitches.push({ level: d.level, height: l.height || 0, bitrate: l.bitrate || 0, time: performance.now() });
      syncHlsMenu();
    });
    // hls.js renders the chosen track as a native TextTrack. Its index is the menu's value; a
    // switch made elsewhere (the video's own captions button) moves the menu too.
    hls.on(E.SUBTITLE_TRACKS_UPDATED, (_, d) => buildCaptions((d.subtitleTracks || []).map((t, i) => ({ i, label: t.name || t.lang || `Track ${i + 1}` })), hls.subtitleTrack));
    hls.on(E.SUBTITLE_TRACK_SWITCH, (_, d) => { if (cc.options.length) cc.value = String(d.id); });
    hls.on(E.FRAG_BUFFERED, () => { st.backoff = 1000; clearInfo(); });
    ads.attachHls(hls); // before attachMedia: see ads.js
    hls.loadSource(url);
    hls.attachMedia(video);
  }

  // ---- DASH: dash.js (dashplayer.js), seen by the rest of the page through an hls.js-shaped
  // view (levels, currentLevel, autoLevelEnabled, bandwidthEstimate) --------------------------
  function startDashJs(dashjs, url) {
    const view = startDash(dashjs, video, url, {
      lp,
      onLevels: buildHlsMenu,
      onSwitch: syncHlsMenu,
      onCaptions: (tracks) => buildCaptions(tracks, -1),
      onError: (err) => {
        box.classList.remove('loading');
        say(`This show cannot be played here (dash.js: ${err.message || err.code || 'error'}).`);
      },
    });
    lp.dash = view.player;
    lp.dashView = view;
  }
  // The player's hls.js, or dash.js's view shaped like it.
  const engine = () => lp.hls || lp.dashView;

  // ---- thumbnails on the seek bar (thumbs.js) ----------------------------------------------
  // show.json's "thumbnails" (paths relative to the version folder `base`); the seek bar
  // appears for them.
  function startThumbs(info, base) {
    const t = pickThumbs(info.thumbnails);
    if (!t || lp.thumbs) return;
    lp.thumbs = { vtt: `${base}/${t.vtt}`, width: t.width, cues: null };
    attachThumbs({ bar: ads.seekbar.el, vttUrl: lp.thumbs.vtt, duration: ads.seekbar.length,
      seek: ads.seekbar.seek, signal: ac.signal })
      .then((th) => { lp.thumbs.cues = th.cues; ads.seekbar.draw(); }, () => {});
  }

  function onFatal(hls, d) {
    if (d.type === Hls.ErrorTypes.NETWORK_ERROR) {
      if (d.details === Hls.ErrorDetails.MANIFEST_LOAD_ERROR && d.response && d.response.code === 404) {
        say('This show is not published.');
        return;
      }
      say('The network dropped, retrying…', 'info');
      const wait = st.backoff;
      st.backoff = Math.min(wait * 2, 8000);
      // Without a manifest there is nothing for startLoad() to resume; load it again instead.
      later(() => (/^manifest/i.test(d.details) ? hls.loadSource(lp.src) : hls.startLoad()), wait);
    } else if (d.type === Hls.ErrorTypes.MEDIA_ERROR && st.mediaRecoveries < 3) {
      say('Recovering from a playback error…', 'info');
      const now = performance.now();
      // hls.js's advice: a second media error right after a recovery may be an audio codec
      // mismatch (HE-AAC signalled as AAC-LC), which swapping the codec fixes.
      if (now - st.lastRecovery < 3000) hls.swapAudioCodec();
      st.lastRecovery = now;
      st.mediaRecoveries++;
      hls.recoverMediaError();
    } else {
      say('This show cannot be played here.');
      box.classList.remove('loading');
      hls.destroy();
      lp.hls = null;
    }
  }

  // ---- quality menu ------------------------------------------------------------------------
  // hls.js's levels, or dash.js's video Representations through its view.
  function buildHlsMenu() {
    const lv = engine().levels;
    const order = lv.map((_, i) => i).sort((a, b) => (lv[b].height - lv[a].height) || (lv[b].bitrate - lv[a].bitrate));
    q.replaceChildren(new Option('Auto', '-1'),
      ...order.map((i) => new Option(`${lv[i].height ? `${lv[i].height}p` : 'audio'} · ${mbps(lv[i].bitrate)} Mbps`, String(i))));
    q.value = '-1';
    show($('quality-wrap'), q, lv.length > 1);
  }
  function syncHlsMenu() {
    const hls = engine();
    if (!hls || !q.options.length) return;
    const l = hls.levels[hls.currentLevel];
    q.options[0].text = hls.autoLevelEnabled && l ? `Auto · ${l.height}p` : 'Auto';
    q.value = hls.autoLevelEnabled ? '-1' : String(hls.currentLevel);
  }
  function buildMp4Menu() {
    const list = st.mp4.map((m, i) => ({ m, i })).sort((a, b) => b.m.height - a.m.height);
    if (!list.length) return;
    q.replaceChildren(...list.map(({ m, i }) => {
      const r = st.renditions && st.renditions[m.name];
      return new Option(`${m.height}p${r ? ` · ${mbps(r.avg_bps)} Mbps` : ''} · MP4`, String(i));
    }));
    const cur = st.mp4.findIndex((m) => m.url === lp.src);
    if (cur >= 0) q.value = String(cur);
    show($('quality-wrap'), q, cur >= 0 && list.length > 1);
  }

  // Same as choosing in the menu. hls.js: index into hls.levels, -1 = Auto. currentLevel (not
  // nextLevel or loadLevel) so a manual choice sticks until Auto is chosen again.
  function setQuality(i) {
    i = Number(i);
    if (lp.path === 'mp4' && ads.state.inAd()) return; // the show's MP4 comes back after the ad
    if (lp.path === 'hlsjs' && lp.hls) {
      st.manual = i >= 0;
      lp.hls.currentLevel = i;
      q.value = String(i);
    } else if (lp.path === 'dashjs' && lp.dashView) {
      st.manual = i >= 0;
      lp.dashView.setLevel(i);
      q.value = String(i);
    } else if (lp.path === 'mp4') {
      const m = st.mp4[i];
      if (!m || m.url === lp.src) return;
      const t = video.currentTime, playing = !video.paused || st.wantPlay;
      st.manual = true;
      lp.src = m.url;
      video.src = m.url;
      q.value = String(i);
      on(video, 'loadedmetadata', () => { if (t) video.currentTime = t; if (playing) requestPlay(); }, { once: true });
    }
  }
  on(q, 'change', () => setQuality(q.value));

  // ---- captions ----------------------------------------------------------------------------
  // Menu values: hls.js's subtitle track index, else an index into video.textTracks; -1 is Off.
  function buildCaptions(tracks, selected = -1) {
    cc.replaceChildren(new Option('Off', '-1'), ...tracks.map((t) => new Option(t.label, String(t.i))));
    cc.value = String(tracks.some((t) => t.i === selected) ? selected : -1);
    show($('captions-wrap'), cc, tracks.length > 0);
  }
  // Native HLS (the manifest's SUBTITLES) and the MP4 sidecars arrive as text tracks. Only
  // subtitles and captions belong in the menu: Safari also adds metadata tracks (ID3).
  function isText(t) { return t.kind === 'subtitles' || t.kind === 'captions'; }
  function showingTrack() { return [...video.textTracks].findIndex((t) => isText(t) && t.mode === 'showing'); }
  function watchTextTracks() {
    const tt = video.textTracks;
    const refresh = () => buildCaptions([...tt].map((t, i) => ({ i, t })).filter(({ t }) => isText(t))
      .map(({ i, t }) => ({ i, label: t.label || t.language || `Track ${i + 1}` })), showingTrack());
    on(tt, 'addtrack', refresh);
    on(tt, 'removetrack', refresh);
    // The video's own captions button changes the modes too; the menu says what is showing.
    on(tt, 'change', () => { if (cc.options.length) cc.value = String(showingTrack()); });
  }
  // The MP4s carry no text: show.json lists each language's whole-show WebVTT ("sidecar", times
  // from the first picture, as the MP4s start), added as <track>s; addtrack fills the menu.
  // SDH is kind "captions", as hls.js makes it from the manifest's CHARACTERISTICS.
  function addSidecars(captions, base) {
    if (video.querySelector('track')) return;
    video.append(...captions.filter((c) => c.sidecar).map((c) => Object.assign(document.createElement('track'), {
      kind: c.sdh ? 'captions' : 'subtitles', srclang: c.language || '', label: c.name || c.language || '',
      src: `${base}/${c.sidecar}`,
    })));
  }
  on(cc, 'change', () => {
    const i = Number(cc.value);
    if (lp.hls) {
      lp.hls.subtitleTrack = i;
      lp.hls.subtitleDisplay = i >= 0;
    } else if (lp.dashView) {
      lp.dashView.setCaptions(i);
    } else {
      [...video.textTracks].forEach((t, k) => { if (isText(t)) t.mode = k === i ? 'showing' : 'disabled'; });
    }
  });

  // ---- keyboard ----------------------------------------------------------------------------
  on(document, 'keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t && (/^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName) || t.isContentEditable)) return;
    const k = e.key;
    if (k === ' ' || k === 'Spacebar') togglePlay();
    else if (k === 'ArrowLeft' || k === 'ArrowRight') {
      if (ads.state.inAd()) { e.preventDefault(); return; } // no seeking during an ad
      const d = k === 'ArrowLeft' ? -5 : 5;
      const end = ads.state.duration || (Number.isFinite(video.duration) ? video.duration : Infinity);
      ads.state.seek(Math.max(0, Math.min(end, ads.state.primaryTime() + d)));
    } else if (k === 'ArrowUp' || k === 'ArrowDown') {
      video.volume = Math.round(Math.max(0, Math.min(1, video.volume + (k === 'ArrowUp' ? 0.1 : -0.1))) * 10) / 10;
      if (k === 'ArrowUp') video.muted = false;
    } else if (k === 'f' || k === 'F') toggleFullscreen();
    else if (k === 'm' || k === 'M') video.muted = !video.muted;
    else return;
    e.preventDefault();
  });
  function toggleFullscreen() {
    const d = document;
    if (d.fullscreenElement || d.webkitFullscreenElement) (d.exitFullscreen || d.webkitExitFullscreen).call(d);
    else if (box.requestFullscreen) box.requestFullscreen().catch(() => {});
    else if (box.webkitRequestFullscreen) box.webkitRequestFullscreen();
    else if (video.webkitEnterFullscreen) video.webkitEnterFullscreen(); // iPhone: only the video can
  }

  // The panel (and its canvas) starts with the first frame: drawing it while the player starts
  // took CPU from the start itself (time to first frame).
  let stopStats = () => {};
  afterFirstFrame(() => { stopStats = startStats(lp, st); });

  return function close() {
    ac.abort();
    timers.forEach(clearTimeout);
    stopStats();
    ads.stop();
    if (lp.hls) lp.hls.destroy();
    if (lp.dash) lp.dash.destroy();
    video.pause();
    video.removeAttribute('src');
    video.load();
  };
}

// The version folder a played URL is in: /shows/<id>/vN/mp4/<name>.mp4 or
// /shows/<id>/vN/manifest.mpd -> /shows/<id>/vN ('' if the URL is not shaped so: the HLS
// master is /shows/<id>/master.m3u8).
function versionBase(url) {
  const m = /^(.*\/v\d+)\/(?:mp4\/[^/]+|[^/]+\.mpd)$/.exec(url || '');
  return m ? m[1] : '';
}

function show(wrap, el, yes) {
  wrap.hidden = !yes;
  el.hidden = !yes;
}
