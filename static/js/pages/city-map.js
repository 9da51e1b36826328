// `/cities/<slug>/`: the city on its own map, zoomed to its boundary or its point.
import { fetchJSON } from "../lib/fetch.js";
import { createMap } from "../lib/map.js";
import { loadWithRetry } from "../lib/map-status.js";
import { cityLayer } from "../lib/city-style.js";

const element = document.getElementById("city-map");
const map = createMap(element);
const city = await loadWithRetry(element, () => fetchJSON(element.dataset.cityUrl));
const layer = cityLayer([city]).addTo(map);
if (city.geometry.type === "Point") {
  const [lon, lat] = city.geometry.coordinates;
  map.setView([lat, lon], 12);
} else {
  map.fitBounds(layer.getBounds());
}
element.dataset.ready = "true";
window.portalMap = map;
