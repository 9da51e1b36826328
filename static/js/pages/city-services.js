// The services section of `/cities/<slug>/`: the city's services on their own clustered map.
import { fetchAllFeatures } from "../lib/fetch.js";
import { createMap } from "../lib/map.js";
import { clusterLayer, serviceMarker } from "../lib/service-style.js";

const element = document.getElementById("city-services-map");
if (element) {
  const map = createMap(element, { maxZoom: 19 });
  const features = await fetchAllFeatures(element.dataset.servicesUrl);
  const cluster = clusterLayer().addTo(map);
  cluster.addLayers(features.map(serviceMarker));
  if (features.length) map.fitBounds(cluster.getBounds(), { maxZoom: 15, padding: [20, 20] });
  element.dataset.ready = "true";
  element.dataset.count = String(features.length);
}
