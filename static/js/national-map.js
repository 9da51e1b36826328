// `/`: the national map, with the regions and the programme's cities.
import { createMap, fetchAllFeatures } from "./basemap.js";
import { cityLayer, regionStyle } from "./city-style.js";

const element = document.getElementById("map");
const map = createMap(element);

const [regions, cities] = await Promise.all([
  fetchAllFeatures(element.dataset.regionsUrl),
  fetchAllFeatures(element.dataset.citiesUrl),
]);

L.geoJSON(regions, {
  style: () => ({ ...regionStyle, className: "region" }),
  onEachFeature: (feature, layer) => layer.bindTooltip(feature.properties.name, { sticky: true }),
}).addTo(map);
cityLayer(cities).addTo(map);

element.dataset.ready = "true";
window.portalMap = map;
