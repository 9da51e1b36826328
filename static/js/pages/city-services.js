// The services section of `/cities/<slug>/`: the city's services on their own clustered map,
// loaded when the section comes near the screen (Minsk has thousands: the page draws first).
import { fetchAllFeatures } from "../lib/fetch.js";
import { createMap } from "../lib/map.js";
import { loadWithRetry } from "../lib/map-status.js";
import { clusterLayer, serviceMarker } from "../lib/service-style.js";

const element = document.getElementById("city-services-map");

async function draw() {
  const map = createMap(element, { maxZoom: 19 });
  const features = await loadWithRetry(element, () => fetchAllFeatures(element.dataset.servicesUrl));
  const cluster = clusterLayer().addTo(map);
  cluster.addLayers(features.map(serviceMarker));
  if (features.length) map.fitBounds(cluster.getBounds(), { maxZoom: 15, padding: [20, 20] });
  element.dataset.ready = "true";
  element.dataset.count = String(features.length);
}

if (element) {
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    observer.disconnect();
    draw();
  }, { rootMargin: "200px" });
  observer.observe(element);
}
