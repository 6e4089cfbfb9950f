// dashplayer.js: the DASH path. Loads dash.js (vendor/dash.all.min.js, only when /play answers
// DASH), plays the MPD with it, and gives the rest of the page the same view of the player
// that hls.js gives: `levels`, `currentLevel`, `loadLevel`, `autoLevelEnabled`,
// `bandwidthEstimate` (the stats panel and the tests read those), the caption tracks, and the
// level switches and errors in the window.ladderPlayer hooks (player-demo/README.md).

const SCRIPT = 'vendor/dash.all.min.js';
// dash.js's default throughput safety factor (streaming.abr.throughput.bandwidthSafetyFactor).
const SAFETY = 0.9;

// dash.js as a global: index.html's early /play script may have started loading it already.
// (The element's id is not "dashjs": an id is also a window property, and would shadow it.)
export function loadDashJs() {
  if (window.dashjs && window.dashjs.MediaPlayer) return Promise.resolve(window.dashjs);
  let s = document.getElementById('dashjs-script');
  if (!s) {
    s = Object.assign(document.createElement('script'), { id: 'dashjs-script', src: SCRIPT });
    document.head.append(s);
  }
  return new Promise((resolve, reject) => {
    s.addEventListener('load', () => resolve(window.dashjs));
    s.addEventListener('error', () => reject(new Error(`${SCRIPT} could not be loaded`)));
  });
}

// The language's own name for a text track that has no Label ("en" -> "English").
function langName(lang) {
  try {
    return new Intl.DisplayNames([lang], { type: 'language' }).of(lang);
  } catch {
    return lang || '';
  }
}

// Starts dash.js on `url` in `video`. hooks: {lp, onLevels(), onSwitch(), onCaptions(tracks),
// onError(e)}. Returns the hls.js-shaped view; view.player is dash.js's MediaPlayer.
export function startDash(dashjs, video, url, hooks) {
  const player = dashjs.MediaPlayer().create();
  const E = dashjs.MediaPlayer.events;
  player.updateSettings({
    debug: { logLevel: dashjs.Debug.LOG_LEVEL_WARNING },
    streaming: {
      // Off until chosen, as the HLS master says DEFAULT=NO.
      text: { defaultEnabled: false },
      // As hls.js is run (capLevelToPlayerSize: false): every rung is a candidate.
      abr: { limitBitrateByPortal: false },
    },
  });
  // A test's settings (window.LADDER_DASH_CONFIG, dash.js's updateSettings shape) go last.
  if (window.LADDER_DASH_CONFIG) player.updateSettings(window.LADDER_DASH_CONFIG);

  let rendered = null; // the video Representation on screen (QUALITY_CHANGE_RENDERED)
  const reps = () => player.getRepresentationsByType('video') || [];
  const indexOf = (r) => (r ? reps().findIndex((x) => x.id === r.id) : -1);
  const view = {
    player,
    get levels() {
      return reps().map((r) => ({ name: r.id, width: r.width, height: r.height, bitrate: r.bandwidth,
        codecs: [r.codecs, audioCodec()].filter(Boolean).join(',') }));
    },
    get currentLevel() { return indexOf(rendered); },
    get loadLevel() { return indexOf(player.getCurrentRepresentationForType('video')); },
    get autoLevelEnabled() {
      const a = player.getSettings().streaming.abr.autoSwitchBitrate;
      return !a || a.video !== false;
    },
    // dash.js's throughput estimate is in kbit/s; hls.js's bandwidthEstimate in bit/s.
    get bandwidthEstimate() { return (player.getAverageThroughput('video') || 0) * 1000; },
    safetyFactor() {
      const t = player.getSettings().streaming.abr.throughput;
      return (t && t.bandwidthSafetyFactor) || SAFETY;
    },
    // -1: Auto (dash.js's ABR), else an index into `levels`, kept until Auto is chosen again.
    setLevel(i) {
      player.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: i < 0 } } } });
      if (i >= 0) player.setRepresentationForTypeByIndex('video', i, true);
    },
    // -1: off, else an index into the tracks given to onCaptions.
    setCaptions(i) {
      player.enableText(i >= 0);
      player.setTextTrack(i);
    },
  };
  function audioCodec() {
    const a = player.getCurrentRepresentationForType('audio');
    return a ? a.codecs : '';
  }

  player.on(E.STREAM_INITIALIZED, () => hooks.onLevels());
  player.on(E.QUALITY_CHANGE_RENDERED, (e) => {
    if (e.mediaType !== 'video') return;
    rendered = e.newRepresentation;
    const r = rendered || {};
    hooks.lp.levelSwitches.push({ level: indexOf(r), height: r.height || 0, bitrate: r.bandwidth || 0,
      time: performance.now() });
    hooks.onSwitch();
  });
  // The text AdaptationSets (the WebVTT sidecars) and any CEA-608 channel dash.js found, in the
  // order setTextTrack counts them.
  player.on(E.TEXT_TRACKS_ADDED, (e) => {
    // A CEA-608 channel read from the video is told apart from the sidecar of its language.
    hooks.onCaptions((e.tracks || []).map((t, i) => {
      const name = (t.labels && t.labels[0] && t.labels[0].text) || langName(t.lang) || `Track ${i + 1}`;
      return { i, label: t.isEmbedded ? `${name} (CEA-608)` : name };
    }));
  });
  player.on(E.ERROR, (e) => {
    const err = e.error || {};
    hooks.lp.errors.push({ type: 'dash', details: String(err.code || ''), fatal: true,
      reason: err.message || '' });
    hooks.onError(err);
  });
  // Absolute: dash.js's CMCD reporter builds URLs from it and warns on a relative one.
  player.initialize(video, new URL(url, location.href).href, false);
  return view;
}
