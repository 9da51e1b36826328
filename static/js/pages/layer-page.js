// `/layers/<slug>/`: the layer on a map with the cities for context, its legend, popups, and
// the attribute table beside it (row click zooms to the feature; feature click selects its row).
import { fetchAllFeatures, fetchJSON } from "../lib/fetch.js";
import { escapeHTML } from "../lib/html.js";
import { createMap } from "../lib/map.js";
import { dataLayer, formatValue, legendItems, popupHTML } from "../lib/layer-style.js";

const config = JSON.parse(document.getElementById("layer-config").textContent);
const element = document.getElementById("layer-map");
const map = createMap(element);
if (config.bounds) {
  const [minx, miny, maxx, maxy] = config.bounds;
  map.fitBounds([[miny, minx], [maxy, maxx]], { maxZoom: 16, padding: [10, 10] });
}
document.getElementById("legend").innerHTML = legendItems(config.legend, config.geometry);

const table = {
  page: 1, sort: "", column: "", value: "", selected: null, rows: new Map(),
  body: document.querySelector("#features-table tbody"),
  status: document.getElementById("table-status"),
};

const popup = L.popup({ maxWidth: 320 });
function showPopup(properties, latlng) {
  popup.setLatLng(latlng).setContent(popupHTML(config.title, properties)).openOn(map);
}

function selectRow(id) {
  table.selected = id;
  for (const row of table.body.querySelectorAll("tr")) {
    const match = Number(row.dataset.id) === id;
    row.classList.toggle("selected", match);
    row.setAttribute("aria-selected", String(match));
    if (match) row.scrollIntoView({ block: "nearest" });
  }
}

async function onFeatureClick(id, properties, latlng) {
  showPopup(properties, latlng);
  if (!table.rows.has(id)) await loadTable({ id });
  selectRow(id);
}

function zoomTo(row) {
  const [minx, miny, maxx, maxy] = row.bbox;
  const bounds = L.latLngBounds([miny, minx], [maxy, maxx]);
  if (minx === maxx && miny === maxy) map.setView(bounds.getCenter(), Math.max(map.getZoom(), 16));
  else map.fitBounds(bounds, { maxZoom: 17, padding: [20, 20] });
  showPopup(row.properties, bounds.getCenter());
  selectRow(row.id);
}

function renderTable(data) {
  table.rows = new Map(data.rows.map((row) => [row.id, row]));
  table.body.innerHTML = data.rows.map((row) => `<tr data-id="${row.id}" tabindex="0">${
    data.columns.map((name) => `<td>${escapeHTML(formatValue(row.properties[name]))}</td>`).join("")
  }</tr>`).join("") || `<tr><td colspan="${data.columns.length || 1}">${escapeHTML(gettext("No features match."))}</td></tr>`;
  table.status.textContent = interpolate(gettext("Page %s of %s · %s features"), [data.page, data.pages, data.count]);
  document.getElementById("table-prev").disabled = data.page <= 1;
  document.getElementById("table-next").disabled = data.page >= data.pages;
  for (const button of document.querySelectorAll("#features-table .sort")) {
    const column = button.dataset.column;
    const state = data.sort === column ? "ascending" : data.sort === `-${column}` ? "descending" : "none";
    button.closest("th").setAttribute("aria-sort", state);
  }
  if (table.selected != null) selectRow(table.selected);
}

async function loadTable(extra = {}) {
  const params = new URLSearchParams({ page: table.page, sort: table.sort, column: table.column, value: table.value });
  if (extra.id != null) params.set("id", extra.id);
  const data = await fetchJSON(`${config.tableUrl}?${params}`);
  table.page = data.page;
  renderTable(data);
  return data;
}

table.body.addEventListener("click", (event) => {
  const tr = event.target.closest("tr[data-id]");
  if (tr) zoomTo(table.rows.get(Number(tr.dataset.id)));
});
table.body.addEventListener("keydown", (event) => {
  const tr = event.target.closest("tr[data-id]");
  if (tr && event.key === "Enter") zoomTo(table.rows.get(Number(tr.dataset.id)));
});
document.getElementById("table-prev").addEventListener("click", () => { table.page -= 1; loadTable(); });
document.getElementById("table-next").addEventListener("click", () => { table.page += 1; loadTable(); });
document.querySelector("#features-table thead").addEventListener("click", (event) => {
  const button = event.target.closest(".sort");
  if (!button) return;
  const column = button.dataset.column;
  table.sort = table.sort === column ? `-${column}` : column;
  table.page = 1;
  loadTable();
});
document.getElementById("table-filter").addEventListener("submit", (event) => {
  event.preventDefault();
  table.column = document.getElementById("filter-column").value;
  table.value = document.getElementById("filter-value").value.trim();
  table.page = 1;
  loadTable();
  updateDownloads();
});

// Downloads of the current view and filter: the map's bbox and the table's column filter.
const downloadView = document.getElementById("download-view");
function updateDownloads() {
  for (const link of document.querySelectorAll("a.download")) {
    const url = new URL(link.href);
    url.search = "";
    if (downloadView.checked) {
      url.searchParams.set("bbox", map.getBounds().toBBoxString());
      if (table.value) {
        url.searchParams.set("column", table.column);
        url.searchParams.set("value", table.value);
      }
    }
    link.href = url.toString();
  }
}
downloadView.addEventListener("change", updateDownloads);
map.on("moveend", updateDownloads);

// The cities' boundaries, drawn lightly under the layer, for context.
fetchAllFeatures(config.citiesUrl).then((cities) => {
  const boundaries = cities.filter((f) => f.geometry && f.geometry.type !== "Point");
  L.geoJSON(boundaries, {
    interactive: false,
    // pmIgnore: never offered to the editing tools (static/js/lib/editing/).
    pmIgnore: true,
    style: { color: "#5b6b7f", weight: 1, dashArray: "4 3", fill: false, className: "context-boundary" },
  }).addTo(map).bringToBack();
}).catch(() => {});

const features = (await dataLayer(config, onFeatureClick)).addTo(map);
await loadTable();
// Editing tools only for those who may edit the layer (config.editing is null for others).
if (config.editing) {
  const { startEditing } = await import("../lib/editing/index.js");
  await startEditing({ map, dataLayer: features, config, reloadTable: loadTable });
}
element.dataset.ready = "true";
window.portalMap = map;
