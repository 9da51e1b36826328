// Leaflet's own words (zoom buttons, the attribution's tooltip) in the page's language, for
// every map made after this module has run. Leaflet.draw's words come from django-leaflet.
if (window.L && window.gettext) {
  L.Control.Zoom.prototype.options.zoomInTitle = gettext("Zoom in");
  L.Control.Zoom.prototype.options.zoomOutTitle = gettext("Zoom out");
  const title = gettext("The library that draws the maps");
  L.Control.Attribution.prototype.options.prefix = `<a href="https://leafletjs.com" title="${title}">Leaflet</a>`;
}
