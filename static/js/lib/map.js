// A Leaflet map with the portal's base map. The base map is a setting (BASEMAP_URL, given to
// every page by templates/includes/leaflet.html); when it is empty or its tiles cannot be
// reached the map still works, on a plain background.
const BELARUS_BOUNDS = [[51.2, 23.1], [56.2, 32.8]];

function meta(name) {
  return document.querySelector(`meta[name="${name}"]`)?.content || "";
}

export function createMap(element, options = {}) {
  const map = L.map(element, { zoomSnap: 0.5, ...options });
  const basemapUrl = meta("basemap-url");
  if (basemapUrl) {
    L.tileLayer(basemapUrl, { attribution: meta("basemap-attribution"), maxZoom: 19 }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  map.fitBounds(BELARUS_BOUNDS);
  return map;
}
