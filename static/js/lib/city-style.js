// How cities and regions are drawn on every map, and what their popups say.
import { escapeHTML } from "./html.js";

export const regionStyle = { color: "#5b6b7f", weight: 1.5, fillColor: "#dfe7ef", fillOpacity: 0.35 };
const boundaryStyle = { color: "#b3261e", weight: 2, fillColor: "#e46962", fillOpacity: 0.25 };
const markerStyle = { radius: 7, color: "#ffffff", weight: 2, fillColor: "#b3261e", fillOpacity: 1 };

export function cityPopup(props) {
  const population = props.population == null
    ? gettext("unknown")
    : Number(props.population).toLocaleString(document.documentElement.lang);
  const boundary = props.geometry_source === "boundary"
    ? ""
    : `<p class="boundary-missing">${escapeHTML(gettext("Boundary not yet published"))}</p>`;
  return `<div class="city-popup">
    <h3>${escapeHTML(props.name)}</h3>
    <p>${escapeHTML(gettext("Population"))}: ${escapeHTML(population)}</p>
    ${boundary}
    <a href="${escapeHTML(props.url)}">${escapeHTML(gettext("Open the city page"))}</a>
  </div>`;
}

// A city as its boundary where published, else as a marker at its point.
export function cityLayer(features) {
  return L.geoJSON(features, {
    // GeoJSON applies `style` to circle markers too, so it must name both kinds.
    style: (feature) =>
      feature.geometry.type === "Point"
        ? { ...markerStyle, className: `city city-marker city-${feature.id}` }
        : { ...boundaryStyle, className: `city city-boundary city-${feature.id}` },
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, markerStyle),
    onEachFeature: (feature, layer) => {
      layer.bindPopup(cityPopup(feature.properties));
      layer.bindTooltip(feature.properties.name);
    },
  });
}
