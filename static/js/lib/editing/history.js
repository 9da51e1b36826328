// The layer's history for editors: its changes and imports, newest first, of the whole layer or
// of one feature; a click shows a change on a small map (before dashed grey, after orange), and
// a change that is still the feature's latest can be reverted.
import { escapeHTML } from "../html.js";
import { createMap } from "../map.js";
import { request } from "./api.js";

const BEFORE = { color: "#666666", weight: 2, dashArray: "5 4", fillOpacity: 0.1, radius: 7 };
const AFTER = { color: "#e8590c", weight: 3, fillOpacity: 0.3, radius: 7 };
const VIA = { ogc: () => gettext("through the OGC API (QGIS)"), page: () => gettext("on the layer page") };

function when(iso) {
  return new Date(iso).toLocaleString(document.documentElement.lang);
}

function entryHTML(entry) {
  if (entry.kind === "import") {
    const count = entry.imported == null ? "" : ` · ${interpolate(gettext("%s features"), [entry.imported])}`;
    return `<li data-kind="import"><strong>${escapeHTML(interpolate(gettext("Imported from the file %s"), [entry.source_filename || "—"]))}</strong> (${
      escapeHTML(interpolate(gettext("version %s"), [entry.layer_version]))}${escapeHTML(count)})<br><small>${escapeHTML(when(entry.created))} · ${escapeHTML(entry.user || "—")}</small></li>`;
  }
  const what = interpolate(gettext("Feature %s %s"), [entry.feature_id, entry.action_label]);
  const revertNote = entry.reverts ? ` · ${gettext("a revert")}` : "";
  const parts = [];
  if (entry.changed.geometry) parts.push(gettext("moved or reshaped"));
  if (entry.changed.properties.length) parts.push(interpolate(gettext("attributes: %s"), [entry.changed.properties.join(", ")]));
  const details = parts.length ? `<br>${escapeHTML(parts.join("; "))}` : "";
  const reverted = entry.reverted ? `<span class="reverted">${escapeHTML(gettext("reverted"))}</span> ` : "";
  const revert = entry.revertible ? `<button type="button" data-revert="${entry.id}">${escapeHTML(gettext("Revert"))}</button>` : "";
  return `<li data-edit="${entry.id}"><strong>${escapeHTML(what)}</strong> ${reverted}${details}<br><small>${escapeHTML(when(entry.created))} · ${
    escapeHTML(entry.user || "—")} · ${escapeHTML((VIA[entry.via] || (() => entry.via))())}${escapeHTML(revertNote)}</small><br>`
    + `<button type="button" data-show="${entry.id}">${escapeHTML(gettext("Show on the map"))}</button>${revert}</li>`;
}

export function historyPanel(editing, { onReverted, onError }) {
  const list = document.getElementById("history-list");
  const scope = document.getElementById("history-scope");
  const all = document.getElementById("history-all");
  const map = createMap(document.getElementById("history-map"));
  const drawn = L.featureGroup([], { pmIgnore: true }).addTo(map);
  let entries = [];
  let featureId = null;

  function show(entry) {
    drawn.clearLayers();
    for (const [feature, style] of [[entry.before, BEFORE], [entry.after, AFTER]]) {
      if (!feature) continue;
      L.geoJSON(feature, { pmIgnore: true, style, pointToLayer: (f, latlng) => L.circleMarker(latlng, { ...style, pmIgnore: true }) }).addTo(drawn);
    }
    for (const li of list.querySelectorAll("li")) li.classList.toggle("current", li.dataset.edit === String(entry.id));
    if (drawn.getLayers().length) map.fitBounds(drawn.getBounds(), { maxZoom: 17, padding: [20, 20] });
  }

  async function load(id = featureId) {
    featureId = id;
    const url = new URL(editing.historyUrl, window.location.href);
    if (featureId != null) url.searchParams.set("feature", featureId);
    const { data } = await request("GET", url);
    entries = data.entries;
    scope.textContent = featureId == null ? gettext("The whole layer:") : interpolate(gettext("Feature %s:"), [featureId]);
    all.hidden = featureId == null;
    list.innerHTML = entries.map(entryHTML).join("") || `<li>${escapeHTML(gettext("No changes yet."))}</li>`;
    const first = entries.find((e) => e.kind === "edit");
    drawn.clearLayers();
    if (first && featureId != null) show(first);
  }

  list.addEventListener("click", async (event) => {
    const showButton = event.target.closest("[data-show]");
    if (showButton) show(entries.find((e) => e.kind === "edit" && String(e.id) === showButton.dataset.show));
    const revertButton = event.target.closest("[data-revert]");
    if (!revertButton) return;
    revertButton.disabled = true;
    try {
      await request("POST", editing.revertUrl.replace("/0/", `/${revertButton.dataset.revert}/`), { csrfToken: editing.csrfToken });
      await onReverted(Number(revertButton.dataset.revert));
    } catch (error) {
      onError(error);
      revertButton.disabled = false;
    }
  });
  all.addEventListener("click", () => load(null));
  map.invalidateSize();
  return { load, map };
}
