// The HTML pages of the OGC API: the page's own GeoJSON (embedded by the template) on a map.
import { createMap } from "../lib/map.js";

const element = document.getElementById("ogc-map");
const data = JSON.parse(document.getElementById("ogc-features").textContent);
const features = Array.isArray(data) ? data : [data];
const map = createMap(element);
const layer = L.geoJSON({ type: "FeatureCollection", features }).addTo(map);
if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { maxZoom: 15 });
element.dataset.ready = "true";
