// A Leaflet map with the portal's base map. The base map is a setting (BASEMAP_URL); when it is
// empty or its tiles cannot be reached the map still works, on a plain background.
const BELARUS_BOUNDS = [[51.2, 23.1], [56.2, 32.8]];

export function createMap(element, options = {}) {
  const map = L.map(element, { zoomSnap: 0.5, ...options });
  const { basemapUrl, basemapAttribution } = document.body.dataset;
  if (basemapUrl) {
    L.tileLayer(basemapUrl, { attribution: basemapAttribution, maxZoom: 19 }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  map.fitBounds(BELARUS_BOUNDS);
  return map;
}

export async function fetchJSON(url) {
  // The API is not under a language prefix: ask it for the page's language.
  const headers = { Accept: "application/json", "Accept-Language": document.documentElement.lang };
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

// Every page of a paginated GeoJSON FeatureCollection, as one array of features.
export async function fetchAllFeatures(url) {
  const features = [];
  let next = url;
  while (next) {
    const page = await fetchJSON(next);
    features.push(...page.features);
    next = page.next;
  }
  return features;
}

export function escapeHTML(text) {
  const div = document.createElement("div");
  div.textContent = text == null ? "" : String(text);
  return div.innerHTML;
}
