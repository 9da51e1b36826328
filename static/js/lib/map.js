// A Leaflet map with the portal's base map. The base map is a setting (BASEMAP_URL, given to
// every page by templates/includes/leaflet.html); when it is empty or its tiles cannot be
// reached the map still works, on a plain background. Leaflet's own words (zoom buttons, the
// popups' close button, its credit) are said in the page's language.
const BELARUS_BOUNDS = [[51.2, 23.1], [56.2, 32.8]];

function meta(name) {
  return document.querySelector(`meta[name="${name}"]`)?.content || "";
}

export function createMap(element, options = {}) {
  const map = L.map(element, { zoomSnap: 0.5, zoomControl: false, ...options });
  L.control.zoom({ zoomInTitle: gettext("Zoom in"), zoomOutTitle: gettext("Zoom out") }).addTo(map);
  map.attributionControl.setPrefix(
    `<a href="https://leafletjs.com" title="${gettext("A JavaScript library for interactive maps")}" lang="en">Leaflet</a>`,
  );
  map.on("popupopen", (event) => {
    const close = event.popup.getElement()?.querySelector(".leaflet-popup-close-button");
    if (close) close.setAttribute("aria-label", gettext("Close popup"));
  });
  const basemapUrl = meta("basemap-url");
  if (basemapUrl) {
    L.tileLayer(basemapUrl, { attribution: meta("basemap-attribution"), maxZoom: 19 }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  // Keyboard users meet the map's controls before its shapes (Leaflet puts them after the
  // panes; both are positioned, so the order of the page does not change what is seen).
  element.prepend(map.getContainer().querySelector(".leaflet-control-container"));
  map.fitBounds(BELARUS_BOUNDS);
  return map;
}
