// app.js: routing between the three views (catalog, player, show report) and the catalog.
// The player and the report live in their own modules; each open returns a close function
// so that leaving a view stops its timers, downloads and decoder.
import { openPlayer } from './player.js';
import { openReport } from './report.js';
import { fmtDuration, esc } from './util.js';

let closeView = null;
let catalogCache = null;

// /shows is cached for 60 s by the origin anyway; one request per page load is enough for the
// player's needs (poster, MP4 list), while the catalog view always asks again.
function catalog(fresh) {
  if (fresh || !catalogCache) {
    catalogCache = fetch('/shows').then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.json();
    });
    catalogCache.catch(() => { catalogCache = null; });
  }
  return catalogCache;
}

function parseRoute() {
  const h = location.hash.match(/^#\/(watch|report)\/([^/?#]+)/);
  if (h) return { view: h[1] === 'watch' ? 'player' : 'report', id: decodeURIComponent(h[2]) };
  // The share URL: the origin serves this page at /watch/<id>.
  const p = location.pathname.match(/^\/watch\/([^/?#]+)\/?$/);
  if (p && (!location.hash || location.hash === '#')) return { view: 'player', id: decodeURIComponent(p[1]) };
  return { view: 'catalog', id: null };
}

function route() {
  if (closeView) closeView();
  closeView = null;
  const { view, id } = parseRoute();
  document.body.dataset.view = view;
  window.scrollTo(0, 0);
  if (view === 'player') {
    // The catalog entry (title, MP4 list) is asked for once the picture moves: nothing the
    // first frame needs, and every request before it delays it.
    const entry = () => catalog().then((list) => list.find((s) => s.id === id) || null, () => null);
    closeView = openPlayer(id, entry);
  } else if (view === 'report') {
    document.title = `Report · ${id} · Ladder`;
    closeView = openReport(id, document.getElementById('report'), catalog().catch(() => []));
  } else {
    document.title = 'Ladder';
    showCatalog();
  }
}

async function showCatalog() {
  const list = document.getElementById('catalog');
  const msg = document.getElementById('catalog-msg');
  msg.textContent = list.children.length ? '' : 'Loading the catalog…';
  let shows;
  try {
    shows = await catalog(true);
  } catch (e) {
    msg.textContent = `The catalog could not be loaded (${e.message}). Check that the origin is running, then reload.`;
    return;
  }
  if (document.body.dataset.view !== 'catalog') return;
  msg.textContent = shows.length ? '' : 'No shows are published yet.';
  list.innerHTML = shows.map((s) => {
    const id = encodeURIComponent(s.id);
    const mp4 = s.mp4 && s.mp4.length ? ` · ${s.mp4.length} MP4` : '';
    return `<li class="card">
  <a class="card-main" href="#/watch/${id}">
    <img src="${esc(s.poster || `/shows/${id}/poster.jpg`)}" alt="" loading="lazy" width="320" height="180">
    <span class="card-dur">${fmtDuration(s.duration)}</span>
    <span class="card-title">${esc(s.title || s.id)}</span>
  </a>
  <span class="card-meta">${esc(s.id)} · v${esc(s.version)}${mp4} · <a href="#/report/${id}">Report</a></span>
</li>`;
  }).join('');
}

window.addEventListener('hashchange', route);
route();
