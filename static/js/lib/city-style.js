// How cities and regions are drawn on every map, and what their popups say.
import { formatNumber } from "./format.js";
import { escapeHTML } from "./html.js";

export const regionStyle = { color: "#5b6b7f", weight: 1.5, fillColor: "#dfe7ef", fillOpacity: 0.35 };
const boundaryStyle = { color: "#b3261e", weight: 2, fillColor: "#e46962", fillOpacity: 0.25 };
const markerStyle = { radius: 9, color: "#ffffff", weight: 2, fillColor: "#b3261e", fillOpacity: 1 };

export function cityPopup(props) {
  const population = props.population == null
    ? gettext("unknown")
    : formatNumber(props.population);
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

// The cities' names always shown (a touch screen has no hover) from `minZoom` on, each label
// hidden where it would overlap a bigger city's (Polotsk and Novopolotsk are 5 px apart on a
// phone at the national zoom).
export function labelCities(map, layer, minZoom = 5) {
  const labelled = [];
  layer.eachLayer((item) => {
    const name = item.feature.properties.name;
    item.unbindTooltip();
    item.bindTooltip(name, { permanent: true, direction: "right", offset: [8, 0], className: "city-label", interactive: false });
    labelled.push({ item, population: item.feature.properties.population || 0 });
  });
  labelled.sort((a, b) => b.population - a.population);
  function place() {
    const show = map.getZoom() >= minZoom && map.hasLayer(layer);
    // Bigger cities first: a name covers neither a bigger city's name nor its marker.
    const taken = [];
    for (const { item } of labelled) {
      const element = item.getTooltip()?.getElement();
      if (!element) continue;
      element.classList.remove("label-hidden");
      if (!show) { element.classList.add("label-hidden"); continue; }
      const box = element.getBoundingClientRect();
      const overlaps = taken.some((t) => box.left < t.right && box.right > t.left && box.top < t.bottom && box.bottom > t.top);
      if (overlaps) element.classList.add("label-hidden");
      else taken.push(box);
      if (item.feature.geometry.type === "Point" && item.getElement?.()) taken.push(item.getElement().getBoundingClientRect());
    }
  }
  map.on("zoomend moveend overlayadd layeradd", place);
  layer.on("add", () => setTimeout(place));
  place();
  return place;
}
