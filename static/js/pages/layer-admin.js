// The admin's layer page: follows a queued or running import by polling the layer's API entry,
// and draws the map preview of the imported features.
import { fetchJSON } from "../lib/fetch.js";
import { createMap } from "../lib/map.js";

const POLL_MS = 1500;
const RUNNING = new Set(["queued", "importing"]);
const STATUS = {
  queued: gettext("queued"),
  importing: gettext("importing"),
  ready: gettext("ready"),
  failed: gettext("failed"),
};

async function followImport(box) {
  const status = box.querySelector(".layer-import-status");
  const bar = box.querySelector("progress");
  const percent = box.querySelector(".layer-import-progress");
  const error = box.querySelector(".layer-import-error");
  while (RUNNING.has(box.dataset.status)) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    let layer;
    try {
      layer = await fetchJSON(box.dataset.api);
    } catch {
      continue;
    }
    box.dataset.status = layer.status;
    status.textContent = STATUS[layer.status] || layer.status;
    bar.value = layer.progress;
    percent.textContent = `${layer.progress}%`;
    if (layer.error_message) {
      error.textContent = layer.error_message;
      error.hidden = false;
    }
    if (!RUNNING.has(layer.status)) {
      // The report, versions and preview are server-rendered: show the final page.
      window.location.reload();
    }
  }
}

async function drawPreview(element) {
  const map = createMap(element);
  const data = await fetchJSON(element.dataset.url);
  const layer = L.geoJSON(data, {
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 4, weight: 1 }),
  }).addTo(map);
  if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { maxZoom: 14 });
  element.dataset.features = String(data.features.length);
}

const box = document.querySelector(".layer-import");
if (box) followImport(box);
const preview = document.getElementById("layer-preview");
if (preview) drawPreview(preview);
