// ads.js: ad breaks on the player page (docs/ads.md). With hls.js, its HLS Interstitials
// support plays the breaks that the show's playlists announce (EXT-X-DATERANGE, CLASS
// "com.apple.hls.interstitial", asset list from the origin's /ads/<show>/<break>.json); this
// module only watches it, keeps the viewer from seeking inside an ad, and makes a seek over a
// break land where the viewer asked once the break has played (hls.js resumes at the break:
// video-dev/hls.js#7029). On the MP4 path it does all of it itself with <video> source swaps,
// from the `breaks` of /play's JSON answer. Both paths draw the same badge ("Ad 1 of 2 ·
// 0:12"), mark the breaks on the seek bar, and send the origin a beacon as each ad starts and
// ends. `ads.state` is what the stats panel and the tests read (player-demo/README.md).
import { fmtDuration } from './util.js';

const $ = (id) => document.getElementById(id);
const FRAME = 1 / 30; // until the MP4's own frame interval is seen (requestVideoFrameCallback)
const TEXT = (t) => t.kind === 'subtitles' || t.kind === 'captions';

// The ad show and its version, from an ad's URL (/shows/<ad>/vN/master.m3u8 or .../mp4/x.mp4).
export function adOf(url) {
  const m = /\/shows\/([^/?#]+)\/(v\d+)\/(?:mp4\/([^/?#]+)\.mp4)?/.exec(url || '');
  return m ? { show: decodeURIComponent(m[1]), version: m[2], mp4: m[3] || '' } : { show: '', version: '', mp4: '' };
}

// POST /ads/beacon, body exactly {"show","break","ad","event"} (docs/origin.md). keepalive lets
// an "end" sent as the page goes away still reach the origin.
export function beacon(show, brk, ad, event) {
  const body = JSON.stringify({ show, break: brk, ad, event });
  return fetch('/ads/beacon', { method: 'POST', body, keepalive: true, headers: { 'Content-Type': 'application/json' } })
    .then((r) => r.status, () => 0);
}

// One per opened player. ctx: {id, video, box, on, later, lp, signal}.
export function createAds(ctx) {
  const { id, video, on } = ctx;
  const state = {
    path: null,       // 'hlsjs' | 'mp4' once a path runs ads
    breaks: [],       // [{id, time, duration, played}], the show's own timeline
    duration: 0,      // the show's duration, for the seek bar
    ad: null,         // while an ad plays: {break, index, count, show, version, rendition, remaining, duration}
    log: [],          // {type, break, ad, index, count, primaryTime, time} per step, for the tests
    beacons: [],      // {body, status}
    adLevelSwitches: [], // {ad, level, height, bitrate, time} inside ads (hls.js)
    adErrors: [],     // errors of the ad players (hls.js), {details, fatal}
    adFrags: [],      // {ad, break, level, sn} per ad fragment buffered (hls.js)
    primaryTime: () => video.currentTime,
    inAd: () => !!state.ad,
    seek: (t) => { video.currentTime = t; },
  };
  const say = (type, extra = {}) => state.log.push({ type, time: performance.now(), primaryTime: state.primaryTime(), ...extra });
  const send = (brk, ad, event) => {
    const entry = { body: { show: id, break: brk, ad, event }, status: null };
    state.beacons.push(entry);
    beacon(id, brk, ad, event).then((s) => { entry.status = s; });
  };

  // ---- what the viewer sees while an ad plays: the badge, no seek bar, no show captions ------
  const badge = document.createElement('div');
  badge.id = 'ad-badge';
  badge.className = 'ad-badge';
  badge.hidden = true;
  badge.setAttribute('role', 'status');
  ctx.box.append(badge);
  let hiddenTracks = [];
  function enterAd() {
    // Native controls would seek inside the ad (X-RESTRICT="SKIP,JUMP"): the ad plays without
    // them; space still pauses. The show's captions would show against the ad's clock.
    video.controls = false;
    hiddenTracks = [...video.textTracks].filter((t) => TEXT(t) && t.mode === 'showing');
    hiddenTracks.forEach((t) => { t.mode = 'hidden'; });
    ctx.box.classList.add('in-ad');
    drawBadge();
  }
  function leaveAd() {
    state.ad = null;
    badge.hidden = true;
    video.controls = true;
    hiddenTracks.forEach((t) => { t.mode = 'showing'; });
    hiddenTracks = [];
    ctx.box.classList.remove('in-ad');
  }
  function drawBadge() {
    const a = state.ad;
    if (!a) { badge.hidden = true; return; }
    badge.hidden = false;
    const text = `Ad ${a.index + 1} of ${a.count || 1} · ${fmtDuration(Math.ceil(Math.max(0, a.remaining)))}`;
    if (badge.textContent !== text) badge.textContent = text;
  }

  // Seeks inside an ad are put back (the keyboard and the seek bar refuse them already). Only
  // jumps of more than a second: hls.js itself nudges the playhead over small gaps.
  let adClock = 0;
  on(video, 'timeupdate', () => { if (state.ad && !video.seeking) adClock = video.currentTime; });
  on(video, 'seeking', () => {
    if (state.ad && state.ad.started && Math.abs(video.currentTime - adClock) > 1) video.currentTime = adClock;
  });

  const seekbar = createSeekbar(ctx, state);
  const tick = setInterval(() => { refreshAd(); drawBadge(); seekbar.draw(); }, 250);
  let refreshAd = () => {};
  let stopPath = () => {};

  // ---- hls.js: its Interstitials do the playing --------------------------------------------
  // Call before hls.attachMedia(): this module's 'seeking' listener must run before hls.js's,
  // which is where a seek over a break turns into that break.
  function attachHls(hls) {
    state.path = 'hlsjs';
    const E = Hls.Events;
    const im = () => hls.interstitialsManager;
    state.primaryTime = () => (state.ad || inBreak ? (im() ? im().primary.currentTime : lastPrimary) : video.currentTime);
    state.seek = (t) => { if (!state.ad && !inBreak) video.currentTime = t; };
    let inBreak = null, lastPrimary = 0, lastSeek = null, seekTarget = null, player = null;

    on(video, 'timeupdate', () => { if (!inBreak && !video.seeking) lastPrimary = video.currentTime; });

    // Playback reaching a mid-roll: hls.js notices on timeupdate, up to 250 ms late, and the
    // frames it showed past the break come again after the ad. At the frame before the break the
    // page moves hls.js's schedule onto the break (interstitialsManager.primary.currentTime),
    // which starts it without the element seeking, so the break's frame is not shown first.
    let lastFrame = -1;
    on(video, 'seeking', () => { lastFrame = -1; });
    if (video.requestVideoFrameCallback) {
      const loop = (_, m) => {
        if (ctx.signal.aborted) return;
        const t = m.mediaTime;
        if (!inBreak && !video.seeking && lastFrame >= 0 && t > lastFrame && t - lastFrame < 0.5 && im()) {
          // hls.js's own event times, read now: they move (by the first picture's offset) once
          // the segment holding the break has been parsed.
          const e = im().events.find((x) => !x.cue.pre && lastFrame < x.startTime - FRAME / 2 && t + FRAME >= x.startTime - FRAME / 2);
          if (e) im().primary.currentTime = e.startTime;
        }
        lastFrame = inBreak ? -1 : t;
        video.requestVideoFrameCallback(loop);
      };
      video.requestVideoFrameCallback(loop);
    }
    on(video, 'seeking', () => {
      if (!inBreak) lastSeek = { from: lastPrimary, to: video.currentTime, at: performance.now() };
    });

    // hls.js 1.7.4: a pre-roll whose asset list arrives before the show's MediaSource has opened
    // (loopback is that fast) detaches the media from a stream controller that never saw it
    // attached. That controller then skips its stopLoad(), stays "loading", and after the break
    // nothing restarts it: the show never buffers a segment. Seen here in 2 of 10 page loads. The
    // page restarts the loading itself, once the show's media is attached again.
    let mediaOpen = false, detachedUnopened = false;
    hls.on(E.MEDIA_ATTACHED, () => { mediaOpen = true; });
    hls.on(E.MEDIA_DETACHING, () => { detachedUnopened = !mediaOpen; mediaOpen = false; });
    const restartStalledLoad = () => {
      if (!detachedUnopened) return;
      detachedUnopened = false;
      const at = im() ? im().primary.currentTime : video.currentTime;
      const go = () => { if (!ctx.signal.aborted) hls.startLoad(Math.max(0, at)); };
      if (mediaOpen) go();
      else hls.once(E.MEDIA_ATTACHED, go);
    };

    hls.on(E.LEVEL_LOADED, (_, d) => { if (d.details && !d.details.live) state.duration = d.details.totalduration; });
    hls.on(E.INTERSTITIALS_UPDATED, (_, d) => {
      d.events.forEach(pinPreroll);
      const played = new Set(state.breaks.filter((b) => b.played).map((b) => b.id));
      state.breaks = d.events.map((e) => ({ id: e.identifier, time: e.cue.pre ? 0 : e.startTime,
        duration: e.duration, played: played.has(e.identifier) }));
      if (d.durations && d.durations.primary) state.duration = d.durations.primary;
    });
    hls.on(E.INTERSTITIAL_STARTED, (_, d) => {
      const e = d.event;
      if (inBreak === e.identifier) return; // hls.js says it again once the asset list is in
      inBreak = e.identifier;
      // hls.js starts a break that a forward seek jumped over (X-RESTRICT JUMP) at the break and
      // resumes there; the viewer asked for later: remember where (video-dev/hls.js#7029).
      const s = lastSeek;
      if (s && performance.now() - s.at < 250 && s.to > e.startTime + 0.5 && s.from <= e.startTime + 0.05) seekTarget = s.to;
      lastSeek = null;
      say('break-start', { break: e.identifier, seekTarget });
    });
    hls.on(E.INTERSTITIAL_ASSET_PLAYER_CREATED, (_, d) => {
      const ad = adOf(d.asset.uri);
      const h = d.player.hls;
      say('ad-player', { break: d.event.identifier, ad: ad.show, version: ad.version, index: d.assetListIndex });
      if (!h) return;
      h.on(E.LEVEL_SWITCHED, (__, x) => {
        const l = h.levels[x.level] || {};
        state.adLevelSwitches.push({ ad: ad.show, break: d.event.identifier, level: x.level, height: l.height || 0,
          bitrate: l.bitrate || 0, time: performance.now() });
      });
      h.on(E.FRAG_BUFFERED, (__, x) => {
        if (x.frag && x.frag.type === 'main') state.adFrags.push({ ad: ad.show, break: d.event.identifier, level: x.frag.level, sn: x.frag.sn });
      });
      h.on(E.ERROR, (__, x) => {
        if (!x.fatal && x.details === Hls.ErrorDetails.BUFFER_SEEK_OVER_HOLE) return;
        state.adErrors.push({ ad: ad.show, details: x.details, fatal: !!x.fatal });
      });
    });
    hls.on(E.INTERSTITIAL_ASSET_STARTED, (_, d) => {
      const ad = adOf(d.asset.uri);
      player = d.player;
      state.ad = { break: d.event.identifier, index: d.assetListIndex, count: d.event.assetList.length,
        show: ad.show, version: ad.version, uri: d.asset.uri, remaining: d.asset.duration || 0,
        duration: d.asset.duration || 0, rendition: null, hls: d.player.hls, started: false };
      adClock = 0;
      enterAd();
      say('ad-start', { break: d.event.identifier, ad: ad.show, version: ad.version, index: d.assetListIndex, count: d.event.assetList.length });
      send(d.event.identifier, ad.show, 'start');
    });
    hls.on(E.INTERSTITIAL_ASSET_ENDED, (_, d) => {
      const ad = adOf(d.asset.uri);
      say('ad-end', { break: d.event.identifier, ad: ad.show, version: ad.version, index: d.assetListIndex });
      send(d.event.identifier, ad.show, 'end');
      player = null;
    });
    hls.on(E.INTERSTITIAL_ASSET_ERROR, (_, d) => {
      state.adErrors.push({ ad: d.asset ? adOf(d.asset.uri).show : '', details: d.details, fatal: !!d.fatal });
    });
    hls.on(E.INTERSTITIAL_ENDED, (_, d) => {
      if (d.event.cue.pre) d.event.ladderPlayed = true;
      const b = state.breaks.find((x) => x.id === d.event.identifier);
      if (b) b.played = true;
      inBreak = null;
      leaveAd();
      say('break-end', { break: d.event.identifier });
    });
    hls.on(E.INTERSTITIALS_PRIMARY_RESUMED, () => {
      say('resume', { seekTarget });
      restartStalledLoad();
      if (seekTarget === null) return;
      const t = seekTarget;
      seekTarget = null;
      // The primary is being attached again: seek once it has its metadata (hls.js's own seek
      // to the resumption point only ever moves forward to it, so it does not undo this one).
      const go = () => { if (!ctx.signal.aborted && hls.media === video) video.currentTime = t; };
      if (video.readyState >= 1 && hls.media === video) go();
      else on(video, 'loadedmetadata', go, { once: true });
    });

    refreshAd = () => {
      if (im()) {
        for (const e of im().events) {
          const b = state.breaks.find((x) => x.id === e.identifier);
          if (b && !e.cue.pre) b.time = e.startTime;
        }
      }
      const a = state.ad;
      if (!a || !player) return;
      a.remaining = player.remaining;
      a.duration = player.duration;
      if (video.currentTime > 0.3) a.started = true;
      const h = a.hls, l = h && h.levels && h.levels[h.currentLevel];
      a.rendition = l ? { level: h.currentLevel, height: l.height, bitrate: l.bitrate, codecs: l.codecs || '', uri: l.uri || l.url || '' } : null;
    };
  }

  // ---- the MP4 path: source swaps ----------------------------------------------------------
  // breaks: /play's [{id, time, duration, ads: [{show, duration, mp4}]}]. The show's MP4 starts
  // at its first picture (time 0 = the break times' origin), so a break's time is a currentTime.
  // A break plays when playback reaches it (the page swaps just before the break's frame is
  // shown) or when a seek forward jumps over it; the show then resumes at the break, or where
  // the seek asked.
  function startMp4(showSrc, breaks, play) {
    state.path = 'mp4';
    state.breaks = (breaks || []).filter((b) => b && b.ads && b.ads.length)
      .map((b) => ({ id: b.id, time: b.time, duration: b.duration, ads: b.ads, played: false }))
      .sort((x, y) => x.time - y.time);
    let mode = 'show', showTime = 0, frame = FRAME, lastFrameTime = -1, pending = null, resuming = null;
    const src = () => ctx.lp.src || showSrc;
    state.primaryTime = () => (mode === 'ad' ? showTime : video.currentTime);
    state.seek = (t) => { if (mode === 'show') video.currentTime = t; };
    on(video, 'loadedmetadata', () => { if (mode === 'show' && Number.isFinite(video.duration)) state.duration = video.duration; });

    const unveil = () => { video.style.opacity = ''; };
    function playBreak(b, resumeAt) {
      mode = 'ad';
      showTime = b.time;
      pending = { b, i: 0, resumeAt };
      say('break-start', { break: b.id, seekTarget: resumeAt === b.time ? null : resumeAt });
      enterAd();
      playAd();
    }
    function playAd() {
      const { b, i } = pending;
      const ad = b.ads[i];
      const info = adOf(ad.mp4);
      state.ad = { break: b.id, index: i, count: b.ads.length, show: ad.show, version: info.version, uri: ad.mp4,
        remaining: ad.duration, duration: ad.duration, rendition: { mp4: info.mp4 }, started: false };
      adClock = 0;
      drawBadge();
      video.src = ad.mp4;
      play();
      say('ad-start', { break: b.id, ad: ad.show, version: info.version, index: i, count: b.ads.length });
      send(b.id, ad.show, 'start');
    }
    function adEnded() {
      const { b, i } = pending;
      say('ad-end', { break: b.id, ad: b.ads[i].show, index: i });
      send(b.id, b.ads[i].show, 'end');
      if (i + 1 < b.ads.length) { pending.i++; playAd(); return; }
      const at = pending.resumeAt;
      pending = null;
      b.played = true;
      leaveAd();
      say('break-end', { break: b.id });
      // A seek target beyond a further break plays that one next, as hls.js does, without
      // showing the show in between.
      const further = crossed(b.time, at);
      if (further) playBreak(further, at);
      else resume(at);
    }
    // The show again, from `at`: a media fragment (#t=) starts it there. Chromium may still
    // present the show's first frame for an instant before it: the picture stays transparent
    // until a frame at `at` comes (or for a second at most), and until then frames are not
    // playback crossing anything.
    function resume(at) {
      mode = 'show';
      lastFrameTime = at;
      resuming = at;
      if (at > 0 && video.requestVideoFrameCallback) {
        video.style.opacity = '0';
        ctx.later(unveil, 1000);
      }
      video.src = at > 0 ? `${src()}#t=${at.toFixed(3)}` : src();
      on(video, 'loadedmetadata', () => {
        if (Math.abs(video.currentTime - at) > frame / 2) video.currentTime = at;
        say('resume', { at });
        play();
      }, { once: true });
    }
    on(video, 'ended', () => { if (mode === 'ad') adEnded(); });
    on(video, 'error', () => { if (mode === 'ad') { state.adErrors.push({ ad: state.ad && state.ad.show, details: 'mp4', fatal: true }); adEnded(); } });

    // Playback reaching a break: the frame before it is on screen and the next one would be the
    // break's. requestVideoFrameCallback sees every frame; timeupdate (4 a second) is the
    // fallback where it is missing.
    const crossed = (from, to) => state.breaks.find((b) => b.time > 0 && from < b.time - frame / 2 && to >= b.time - frame / 2);
    function onFrame(t) {
      if (mode !== 'show') return;
      // The picture is made visible on the frame at `at` itself, even while the element still
      // reports the seek: on 'seeked' the first frame could still be the one on screen.
      if (resuming !== null) {
        if (Math.abs(t - resuming) > frame) return;
        resuming = null;
        unveil();
      }
      if (video.seeking) return;
      if (lastFrameTime >= 0 && t > lastFrameTime) frame = Math.min(FRAME * 2, Math.max(1 / 120, Math.min(frame, t - lastFrameTime)));
      const b = lastFrameTime >= 0 && crossed(lastFrameTime, t + frame);
      lastFrameTime = t;
      if (b) { video.pause(); playBreak(b, b.time); }
    }
    if (video.requestVideoFrameCallback) {
      const loop = (_, meta) => {
        if (ctx.signal.aborted) return;
        if (mode === 'show') onFrame(meta.mediaTime);
        video.requestVideoFrameCallback(loop);
      };
      video.requestVideoFrameCallback(loop);
    } else on(video, 'timeupdate', () => { if (mode === 'show') onFrame(video.currentTime); });

    // A seek forward over a break plays it first; a seek inside an ad is put back (above).
    on(video, 'seeking', () => {
      if (mode !== 'show' || resuming !== null) return;
      const to = video.currentTime, from = lastFrameTime;
      lastFrameTime = to;
      if (from < 0 || to <= from) return;
      const b = crossed(from, to);
      if (b) { video.pause(); playBreak(b, to); }
    });

    const pre = state.breaks.find((b) => b.time <= frame / 2);
    if (pre) playBreak(pre, 0);
    else { video.src = src(); play(); }
    refreshAd = () => {
      const a = state.ad;
      if (!a) return;
      if (Number.isFinite(video.duration)) a.duration = video.duration;
      a.remaining = Math.max(0, a.duration - video.currentTime);
      if (video.currentTime > 0.3) a.started = true;
    };
    stopPath = () => { mode = 'stopped'; };
  }

  return {
    state, attachHls, startMp4, seekbar,
    stop() { clearInterval(tick); stopPath(); seekbar.remove(); badge.remove(); },
  };
}

// hls.js 1.7.4 finds the schedule item at a time with the pre-roll covering [0, its duration),
// and once a played pre-roll is reset (its asset list dropped) that duration falls back to
// PLANNED-DURATION (30 s by default): every later seek into the show's first 30 s then played
// the pre-roll again. A played pre-roll whose asset list is gone lasts 0 s here instead, so only
// a seek to 0 (the start of the show) meets it; a pre-roll with its asset list loaded is
// untouched.
function pinPreroll(e) {
  if (!e.cue || !e.cue.pre || Object.prototype.hasOwnProperty.call(e, 'duration')) return;
  const d = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(e), 'duration');
  if (!d || !d.get) return;
  Object.defineProperty(e, 'duration', {
    configurable: true,
    get() { return this.ladderPlayed && !this.assetListLoaded ? 0 : d.get.call(this); },
    set(v) { d.set.call(this, v); },
  });
}

// The seek bar under the video: the show's own timeline (never the ad's), what is played, and
// a mark per break (played ones dimmed). A click or the arrow keys seek; inside an ad it does
// nothing. The native controls keep play, volume and fullscreen. Shown for a show with breaks
// or with preview thumbnails (thumbs.js adds the class has-thumbs and the preview); a path that
// runs no ads (DASH) gives it the element's duration.
function createSeekbar(ctx, state) {
  const bar = document.createElement('div');
  bar.id = 'seekbar';
  bar.className = 'seekbar';
  bar.tabIndex = 0;
  bar.setAttribute('role', 'slider');
  bar.setAttribute('aria-label', 'Position in the show; marks are ad breaks');
  const length = () => state.duration || (!state.path && Number.isFinite(ctx.video.duration) ? ctx.video.duration : 0);
  const played = document.createElement('div');
  played.className = 'sb-played';
  const marks = document.createElement('div');
  marks.className = 'sb-marks';
  bar.append(played, marks);
  ctx.box.after(bar);
  let drawn = '';
  const seekTo = (t) => { if (!state.inAd() && length()) state.seek(Math.max(0, Math.min(length() - 0.1, t))); };
  bar.addEventListener('click', (e) => {
    const r = bar.getBoundingClientRect();
    seekTo(((e.clientX - r.left) / r.width) * length());
  });
  bar.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    e.stopPropagation();
    seekTo(state.primaryTime() + (e.key === 'ArrowLeft' ? -5 : 5));
  });
  return {
    el: bar,
    length,
    seek: seekTo,
    draw() {
      const d = length();
      bar.hidden = !d || (!state.breaks.length && !bar.classList.contains('has-thumbs'));
      if (bar.hidden) return;
      const t = Math.min(d, state.primaryTime());
      played.style.width = `${(100 * t / d).toFixed(2)}%`;
      bar.setAttribute('aria-valuemin', '0');
      bar.setAttribute('aria-valuemax', d.toFixed(1));
      bar.setAttribute('aria-valuenow', t.toFixed(1));
      bar.setAttribute('aria-valuetext', `${fmtDuration(t)} of ${fmtDuration(d)}${state.inAd() ? ', ad playing' : ''}`);
      bar.classList.toggle('locked', state.inAd());
      const key = JSON.stringify(state.breaks.map((b) => [b.id, b.time, b.played]).concat([d]));
      if (key === drawn) return;
      drawn = key;
      marks.replaceChildren(...state.breaks.map((b) => {
        const m = document.createElement('span');
        m.className = `sb-break${b.played ? ' played' : ''}`;
        m.dataset.break = b.id;
        m.style.left = `${(100 * Math.min(b.time, d) / d).toFixed(2)}%`;
        m.title = `Ad break at ${fmtDuration(b.time)}`;
        return m;
      }));
    },
    remove() { bar.remove(); },
  };
}
