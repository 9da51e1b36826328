// `/services/`: category chips, search, "near me" (or a click on the map), the results listed
// nearest first beside a clustered map. The state lives in the URL (?category=&q=&city=&near=).
import { fetchAllFeatures, fetchJSON } from "../lib/fetch.js";
import { escapeHTML } from "../lib/html.js";
import { createMap } from "../lib/map.js";
import { clusterLayer, formatDistance, openLabel, serviceMarker } from "../lib/service-style.js";

const NEAREST = 50;
const LISTED = 100;
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
// The markers depend on the filters only: moving the search point reuses them.
let loaded = { key: null, features: [] };

function readState() {
  const params = new URLSearchParams(location.search);
  return {
    category: params.get("category") || "",
    q: params.get("q") || "",
    city: params.get("city") || "",
    near: params.get("near") || "",
  };
}

function writeState(state) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) if (value) params.set(key, value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

function filterParams(state) {
  const params = new URLSearchParams();
  for (const key of ["category", "q", "city"]) if (state[key]) params.set(key, state[key]);
  return params;
}

function showForm(state) {
  form.q.value = state.q;
  form.city.value = state.city;
  for (const chip of chips) {
    const pressed = chip.dataset.category === state.category;
    chip.setAttribute("aria-pressed", String(pressed));
    // On a phone the chips scroll sideways: keep the chosen one in sight.
    if (pressed) chip.scrollIntoView({ block: "nearest", inline: "nearest" });
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

async function refresh() {
  const mine = ++generation;
  const state = readState();
  showForm(state);
  showHere(state);
  status.textContent = gettext("Loading…");
  list.setAttribute("aria-busy", "true");
  try {
    const params = filterParams(state);
    const key = params.toString();
    params.set("page_size", "1000");
    const all = loaded.key === key ? loaded.features : await fetchAllFeatures(`${apiUrl}?${params}`);
    let listed = all.slice(0, LISTED);
    if (state.near) {
      const nearParams = filterParams(state);
      nearParams.set("near", state.near);
      nearParams.set("limit", String(NEAREST));
      listed = (await fetchJSON(`${apiUrl}?${nearParams}`)).features;
    }
    if (mine !== generation) return;
    if (loaded.key !== key) {
      loaded = { key, features: all };
      cluster.clearLayers();
      markers.clear();
      for (const feature of all) markers.set(feature.id, serviceMarker(feature));
      cluster.addLayers([...markers.values()]);
    }
    renderList(listed, state);
    status.textContent = state.near
      ? interpolate(gettext("%s services; the %s nearest are listed, nearest first."), [all.length, listed.length])
      : interpolate(gettext("%s services. Use “Near me” or click the map to list the nearest."), [all.length]);
    if (state.near && listed.length) {
      const [lon, lat] = state.near.split(",").map(Number);
      const bounds = L.latLngBounds([[lat, lon]]);
      for (const f of listed.slice(0, 10)) bounds.extend([f.geometry.coordinates[1], f.geometry.coordinates[0]]);
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
    } else if (all.length && (state.city || state.category || state.q)) {
      map.fitBounds(cluster.getBounds(), { padding: [20, 20], maxZoom: 15 });
    }
  } catch (error) {
    status.textContent = gettext("The services could not be loaded.");
    console.error(error);
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
document.getElementById("near-me").addEventListener("click", () => {
  if (!navigator.geolocation) {
    status.textContent = gettext("Your browser cannot tell your location: click the map to set the point.");
    return;
  }
  status.textContent = gettext("Finding your location…");
  navigator.geolocation.getCurrentPosition(
    (position) => setNear(position.coords.latitude, position.coords.longitude),
    () => { status.textContent = gettext("Your location is not available: click the map to set the point."); },
    { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 },
  );
});
map.on("click", (event) => setNear(event.latlng.lat, event.latlng.lng));
list.addEventListener("click", (event) => {
  const item = event.target.closest("li[data-id]");
  const marker = item && markers.get(Number(item.dataset.id));
  if (marker) cluster.zoomToShowLayer(marker, () => marker.openPopup());
});
window.addEventListener("popstate", refresh);
window.portalMap = map;
refresh();
