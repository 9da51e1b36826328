// `/`: the national map. The regions and the programme's cities, the public layers grouped by
// topic category in a layer switcher, base maps apart from overlays (or none, which works
// offline), a legend of the visible layers, a permalink (#map=zoom/lat/lon&layers=a,b), a scale
// bar, a locate-me button, a share button, the search box and the cities' names.
import { fetchAllFeatures, fetchJSON } from "../lib/fetch.js";
import { escapeHTML } from "../lib/html.js";
import { createMap } from "../lib/map.js";
import { loadWithRetry } from "../lib/map-status.js";
import { cityLayer, labelCities, regionStyle } from "../lib/city-style.js";
import { dataLayer, legendItems, popupHTML } from "../lib/layer-style.js";
import { searchBox } from "../lib/search-box.js";
import { servicePopup } from "../lib/service-style.js";
import { shareControl } from "../lib/share.js";

const element = document.getElementById("map");
const map = createMap(element);
// The base map is chosen in the switcher below: drop the one createMap added.
map.eachLayer((layer) => { if (layer instanceof L.TileLayer) map.removeLayer(layer); });

const [regions, cities, catalogue] = await loadWithRetry(element, () => Promise.all([
  fetchAllFeatures(element.dataset.regionsUrl),
  fetchAllFeatures(element.dataset.citiesUrl),
  fetchJSON(element.dataset.layersUrl),
]));

// ---- Base maps: one at a time, or none.
const basemaps = catalogue.basemaps.map((b, i) => ({
  id: `basemap-${i}`, name: b.name, layer: L.tileLayer(b.url, { attribution: b.attribution, maxZoom: 19 }),
}));
basemaps.push({ id: "basemap-none", name: gettext("No base map"), layer: null });
let currentBasemap = null;
function setBasemap(id) {
  if (currentBasemap?.layer) map.removeLayer(currentBasemap.layer);
  currentBasemap = basemaps.find((b) => b.id === id) || basemaps[basemaps.length - 1];
  if (currentBasemap.layer) currentBasemap.layer.addTo(map).bringToBack();
}

// ---- Overlays: the programme's regions and cities, then the public layers.
const overlays = new Map();
overlays.set("regions", {
  title: gettext("Regions"), group: gettext("Programme"),
  make: async () => L.geoJSON(regions, {
    style: () => ({ ...regionStyle, className: "region" }),
    onEachFeature: (feature, layer) => layer.bindTooltip(feature.properties.name, { sticky: true }),
  }),
});
overlays.set("cities", {
  title: gettext("Cities"), group: gettext("Programme"),
  make: async () => {
    const layer = cityLayer(cities);
    layer.on("add", () => setTimeout(() => labelCities(map, layer)), { once: true });
    return layer;
  },
});
for (const group of catalogue.groups) {
  for (const config of group.layers) {
    overlays.set(config.slug, {
      title: config.title, group: group.label || gettext("Other"), config,
      make: () => dataLayer(config, (id, properties, latlng) => {
        L.popup({ maxWidth: 320 }).setLatLng(latlng).setContent(popupHTML(config.title, properties, config.url)).openOn(map);
      }),
    });
  }
}
const visible = new Set();

async function showOverlay(id, on) {
  const overlay = overlays.get(id);
  if (!overlay) return;
  if (on && !visible.has(id)) {
    visible.add(id);
    overlay.layer = overlay.layer || await overlay.make();
    if (visible.has(id)) overlay.layer.addTo(map);
  } else if (!on && visible.has(id)) {
    visible.delete(id);
    if (overlay.layer) map.removeLayer(overlay.layer);
  }
  const box = document.getElementById(`overlay-${id}`);
  if (box) box.checked = visible.has(id);
  renderLegend();
  writePermalink();
}

// ---- The layer switcher.
const small = window.matchMedia("(max-width: 600px)").matches;
const Switcher = L.Control.extend({
  onAdd() {
    const div = L.DomUtil.create("div", "leaflet-control map-panel layer-switcher");
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    const groups = new Map();
    for (const [id, overlay] of overlays) {
      if (!groups.has(overlay.group)) groups.set(overlay.group, []);
      groups.get(overlay.group).push(`<label><input type="checkbox" id="overlay-${escapeHTML(id)}" data-overlay="${escapeHTML(id)}"> ${escapeHTML(overlay.title)}</label>`);
    }
    div.innerHTML = `<details ${small ? "" : "open"}><summary>${escapeHTML(gettext("Layers"))}</summary>
      <fieldset><legend>${escapeHTML(gettext("Base map"))}</legend>${basemaps.map((b) =>
        `<label><input type="radio" name="basemap" value="${b.id}" id="${b.id}"> ${escapeHTML(b.name)}</label>`).join("")}</fieldset>
      ${[...groups].map(([group, items]) => `<fieldset class="overlay-group"><legend>${escapeHTML(group)}</legend>${items.join("")}</fieldset>`).join("")}
    </details>`;
    div.addEventListener("change", (event) => {
      const input = event.target;
      if (input.name === "basemap") { setBasemap(input.value); writePermalink(); }
      else if (input.dataset.overlay) showOverlay(input.dataset.overlay, input.checked);
    });
    return div;
  },
});
new Switcher({ position: "topright" }).addTo(map);

// ---- The legend of the visible layers.
const Legend = L.Control.extend({
  onAdd() {
    const div = L.DomUtil.create("div", "leaflet-control map-panel map-legend");
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  },
});
const legend = new Legend({ position: "bottomright" }).addTo(map);
function renderLegend() {
  const parts = [...visible].map((id) => overlays.get(id)).filter((o) => o.config).map((o) =>
    `<h3>${escapeHTML(o.title)}</h3><ul>${legendItems(o.config.legend, o.config.geometry)}</ul>`);
  const div = legend.getContainer();
  div.hidden = parts.length === 0;
  div.innerHTML = parts.length
    ? `<details ${small ? "" : "open"}><summary>${escapeHTML(gettext("Legend"))}</summary>${parts.join("")}</details>` : "";
}

// ---- Locate me.
const Locate = L.Control.extend({
  onAdd() {
    const div = L.DomUtil.create("div", "leaflet-bar leaflet-control");
    const button = L.DomUtil.create("button", "locate-button", div);
    button.type = "button";
    button.title = button.ariaLabel = gettext("Show my location");
    button.textContent = "◎";
    L.DomEvent.disableClickPropagation(div);
    button.addEventListener("click", () => map.locate({ setView: true, maxZoom: 16 }));
    return div;
  },
});
new Locate({ position: "topleft" }).addTo(map);
shareControl("topleft").addTo(map);
let here = null;
map.on("locationfound", (event) => {
  if (here) map.removeLayer(here);
  here = L.layerGroup([
    L.circle(event.latlng, { radius: event.accuracy, weight: 1, fillOpacity: 0.1 }),
    L.circleMarker(event.latlng, { radius: 6, color: "#fff", weight: 2, fillColor: "#0b57a4", fillOpacity: 1, className: "my-location" }),
  ]).addTo(map);
});
map.on("locationerror", () => {
  L.popup().setLatLng(map.getCenter()).setContent(escapeHTML(gettext("Your location is not available."))).openOn(map);
});

// ---- Permalink: #map=zoom/lat/lon&layers=a,b&basemap=n
let restoring = false;
function writePermalink() {
  if (restoring) return;
  const c = map.getCenter();
  const z = map.getZoom();
  const precision = Math.max(0, Math.ceil(Math.log2(z + 1)));
  const parts = [`map=${z}/${c.lat.toFixed(precision + 1)}/${c.lng.toFixed(precision + 1)}`,
    `layers=${[...visible].map(encodeURIComponent).join(",")}`];
  if (currentBasemap) parts.push(`basemap=${currentBasemap.id.replace("basemap-", "")}`);
  history.replaceState(null, "", `#${parts.join("&")}`);
}

async function readPermalink() {
  const params = new URLSearchParams(location.hash.slice(1));
  restoring = true;
  const view = (params.get("map") || "").split("/").map(Number);
  if (view.length === 3 && view.every(Number.isFinite)) map.setView([view[1], view[2]], view[0]);
  setBasemap(params.has("basemap") ? `basemap-${params.get("basemap")}` : basemaps[0].id);
  document.getElementById(currentBasemap.id).checked = true;
  const wanted = params.has("layers")
    ? new Set(params.get("layers").split(",").filter(Boolean).map(decodeURIComponent))
    : new Set(["regions", "cities"]);
  for (const id of overlays.keys()) await showOverlay(id, wanted.has(id));
  restoring = false;
  writePermalink();
}

map.on("moveend", writePermalink);
window.addEventListener("hashchange", () => { if (!restoring) readPermalink(); });
await readPermalink();

// ---- The search box: a result flies the map there and opens its popup.
async function openResult(result) {
  if (result.kind === "city") {
    await showOverlay("cities", true);
    const city = overlays.get("cities").layer.getLayers().find((l) => l.feature.id === result.id);
    if (city) { city.openPopup(); return true; }
  } else if (result.kind === "layer") {
    await showOverlay(result.id, true);
  } else if (result.kind === "feature") {
    L.popup({ maxWidth: 320 }).setLatLng([result.lat, result.lon])
      .setContent(popupHTML(result.detail, result.properties, result.url)).openOn(map);
    return true;
  } else if (result.kind === "service") {
    const service = await fetchJSON(`${element.dataset.servicesUrl}${result.id}/`);
    L.popup({ maxWidth: 320 }).setLatLng([result.lat, result.lon]).setContent(servicePopup(service.properties)).openOn(map);
    return true;
  }
  return false;
}
searchBox(document.querySelector(".search-box"), map, openResult);
element.dataset.ready = "true";
window.portalMap = map;
