// `/services/`: category chips, "open now" and wheelchair filters, the one search box (a place
// found becomes the search point), "near me" (or a tap on the map), the results listed nearest
// first beside a clustered map. The map loads the services of the area in view only (a city's or
// a text search's all at once). The state lives in the URL (?category=&q=&city=&near=&open=&wheelchair=).
import { fetchJSON } from "../lib/fetch.js";
import { escapeHTML } from "../lib/html.js";
import { createMap } from "../lib/map.js";
import { loadWithRetry } from "../lib/map-status.js";
import { searchBox } from "../lib/search-box.js";
import { clusterLayer, formatDistance, openLabel, serviceMarker } from "../lib/service-style.js";

const NEAREST = 50;
const LISTED = 100;
const PAGE = 1000;
const mapElement = document.getElementById("services-map");
const apiUrl = mapElement.dataset.apiUrl;
const form = document.getElementById("services-form");
const list = document.getElementById("services-list");
const status = document.getElementById("services-status");
const chips = [...document.querySelectorAll(".category-chips .chip")];

// The cluster layer needs a maxZoom, which a map without base-map tiles does not have.
const map = createMap(mapElement, { maxZoom: 19 });
const cluster = clusterLayer().addTo(map);
let here = null;
const markers = new Map();
let generation = 0;
let loaded = { key: null, features: [], count: 0 };

function readState() {
  const params = new URLSearchParams(location.search);
  return {
    category: params.get("category") || "",
    q: params.get("q") || "",
    city: params.get("city") || "",
    near: params.get("near") || "",
    open: params.get("open") || "",
    wheelchair: params.get("wheelchair") || "",
  };
}

function writeState(state) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) if (value) params.set(key, value);
  const query = params.toString();
  history.replaceState(null, "", `${query ? `?${query}` : location.pathname}${location.hash}`);
}

function filterParams(state) {
  const params = new URLSearchParams();
  for (const key of ["category", "q", "city"]) if (state[key]) params.set(key, state[key]);
  if (state.open) params.set("open_now", "true");
  if (state.wheelchair) params.set("wheelchair", "yes,limited");
  return params;
}

function showForm(state) {
  form.q.value = state.q;
  form.city.value = state.city;
  form.open.checked = Boolean(state.open);
  form.wheelchair.checked = Boolean(state.wheelchair);
  for (const chip of chips) {
    const pressed = chip.dataset.category === state.category;
    chip.setAttribute("aria-pressed", String(pressed));
    // On a phone the chips are one row scrolling sideways: bring the chosen one to its middle
    // (scrolling that row only, never the page).
    const row = chip.parentElement;
    if (pressed && row.scrollWidth > row.clientWidth) {
      row.scrollLeft = chip.offsetLeft - row.offsetLeft - (row.clientWidth - chip.offsetWidth) / 2;
    }
  }
}

function showHere(state) {
  if (here) here.remove();
  here = null;
  if (!state.near) return;
  const [lon, lat] = state.near.split(",").map(Number);
  here = L.circleMarker([lat, lon], { radius: 9, color: "#ffffff", weight: 3, fillColor: "#b3261e", fillOpacity: 1, className: "you-are-here" })
    .bindTooltip(gettext("Search point"))
    .addTo(map);
}

function renderList(features, state) {
  list.innerHTML = features.map((feature) => {
    const p = feature.properties;
    const distance = p.distance_m == null ? "" : `<span class="distance">${escapeHTML(formatDistance(p.distance_m))}</span>`;
    return `<li data-id="${feature.id}">
      <button type="button" class="service-item">
        <span class="service-icon" style="background:${escapeHTML(p.colour)}" aria-hidden="true">${escapeHTML(p.icon)}</span>
        <span class="service-text"><span class="service-name">${escapeHTML(p.name)}</span>
          <span class="service-meta">${escapeHTML(p.category_name)}${p.address ? ` · ${escapeHTML(p.address)}` : ""}</span>
          ${p.opening_hours ? `<span class="service-meta">${openLabel(p)}</span>` : ""}</span>
        ${distance}
      </button></li>`;
  }).join("");
  if (!features.length) list.innerHTML = `<li class="empty">${escapeHTML(gettext("No services found."))}</li>`;
  list.dataset.mode = state.near ? "nearest" : "all";
}

// The markers: a city's or a text search's services all at once (and the map fits them), else
// those of the area in view.
async function loadMarkers(state) {
  const params = filterParams(state);
  const whole = Boolean(state.city || state.q);
  if (!whole) params.set("bbox", map.getBounds().toBBoxString());
  params.set("page_size", String(PAGE));
  const key = params.toString();
  if (loaded.key === key) return { ...loaded, whole };
  const page = await fetchJSON(`${apiUrl}?${params}`);
  loaded = { key, features: page.features, count: page.count ?? page.features.length };
  cluster.clearLayers();
  markers.clear();
  for (const feature of loaded.features) markers.set(feature.id, serviceMarker(feature));
  cluster.addLayers([...markers.values()]);
  return { ...loaded, whole };
}

function describe(state, shown, listed) {
  const more = shown.count > shown.features.length
    ? ` ${interpolate(gettext("The map shows %s of them: zoom in to see all."), [shown.features.length])}` : "";
  if (state.near) {
    return interpolate(gettext("%s services; the %s nearest are listed, nearest first."), [shown.count, listed.length]) + more;
  }
  return interpolate(gettext("%s services. Use “Near me” or tap the map to list the nearest."), [shown.count]) + more;
}

async function refresh({ fit = true } = {}) {
  const mine = ++generation;
  const state = readState();
  showForm(state);
  showHere(state);
  status.textContent = gettext("Loading…");
  list.setAttribute("aria-busy", "true");
  try {
    await loadWithRetry(mapElement, async () => {
      const shown = await loadMarkers(state);
      let listed = shown.features.slice(0, LISTED);
      if (state.near) {
        const nearParams = filterParams(state);
        nearParams.set("near", state.near);
        nearParams.set("limit", String(NEAREST));
        listed = (await fetchJSON(`${apiUrl}?${nearParams}`)).features;
      }
      if (mine !== generation) return;
      renderList(listed, state);
      status.textContent = describe(state, shown, listed);
      if (!fit) return;
      if (state.near && listed.length) {
        const [lon, lat] = state.near.split(",").map(Number);
        const bounds = L.latLngBounds([[lat, lon]]);
        for (const f of listed.slice(0, 10)) bounds.extend([f.geometry.coordinates[1], f.geometry.coordinates[0]]);
        map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
      } else if (shown.whole && shown.features.length) {
        map.fitBounds(cluster.getBounds(), { padding: [20, 20], maxZoom: 15 });
      }
    });
  } finally {
    // An older request finishing late must not mark a newer one's list as ready.
    if (mine === generation) {
      list.removeAttribute("aria-busy");
      mapElement.dataset.ready = "true";
    }
  }
}

function update(changes) {
  writeState({ ...readState(), ...changes });
  refresh();
}

function setNear(lat, lon) {
  update({ near: `${lon.toFixed(6)},${lat.toFixed(6)}` });
}

for (const chip of chips) chip.addEventListener("click", () => update({ category: chip.dataset.category }));
form.addEventListener("submit", (event) => {
  event.preventDefault();
  update({ q: form.q.value.trim(), city: form.city.value });
});
form.city.addEventListener("change", () => update({ city: form.city.value }));
form.open.addEventListener("change", () => update({ open: form.open.checked ? "1" : "" }));
form.wheelchair.addEventListener("change", () => update({ wheelchair: form.wheelchair.checked ? "1" : "" }));
document.getElementById("near-me").addEventListener("click", () => {
  if (!navigator.geolocation) {
    status.textContent = gettext("Your browser cannot tell your location: tap the map to set the point.");
    return;
  }
  status.textContent = gettext("Finding your location…");
  navigator.geolocation.getCurrentPosition(
    (position) => setNear(position.coords.latitude, position.coords.longitude),
    () => { status.textContent = gettext("Your location is not available: tap the map to set the point."); },
    { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 },
  );
});
map.on("click", (event) => setNear(event.latlng.lat, event.latlng.lng));
// A tap on a cluster is a tap on that place too: it becomes the search point as the map zooms
// in, so that picking a point never takes several taps through the bubbles.
cluster.on("clusterclick", (event) => setNear(event.latlng.lat, event.latlng.lng));
let moveTimer = null;
map.on("moveend", () => {
  clearTimeout(moveTimer);
  moveTimer = setTimeout(() => { if (!readState().city && !readState().q) refresh({ fit: false }); }, 250);
});
list.addEventListener("click", (event) => {
  const item = event.target.closest("li[data-id]");
  const marker = item && markers.get(Number(item.dataset.id));
  if (marker) cluster.zoomToShowLayer(marker, () => marker.openPopup());
});
window.addEventListener("popstate", () => refresh());

// The one search box: a place found becomes the search point; a service found opens too.
searchBox(document.querySelector(".search-box"), map, (result) => {
  setNear(result.lat, result.lon);
  return false;
});
window.portalMap = map;
refresh();
