// `/indicators/<code>/`: the cities coloured by the indicator. A city with a published boundary
// is filled by class (a choropleth); the others have only a point and are drawn as circles whose
// area is proportional to the value.
import { fetchAllFeatures } from "../lib/fetch.js";
import { autosubmit } from "../lib/forms.js";
import { escapeHTML } from "../lib/html.js";
import { createMap } from "../lib/map.js";

autosubmit();  // the year selector

const RAMP = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
const NO_DATA = "#c8d0d8";

const element = document.getElementById("indicator-map");
const values = JSON.parse(document.getElementById("indicator-values").textContent);
const numbers = Object.values(values).map((v) => v.value).sort((a, b) => a - b);
const max = Math.max(...numbers.map(Math.abs), 1e-9);

// Quantile class breaks over the cities that have a value.
const breaks = RAMP.slice(1).map((_, i) => numbers[Math.floor(((i + 1) * numbers.length) / RAMP.length)]);
function colour(value) {
  if (value == null) return NO_DATA;
  let index = 0;
  while (index < breaks.length && value >= breaks[index]) index += 1;
  return RAMP[index];
}

const format = (n) => Number(n).toLocaleString(document.documentElement.lang, { maximumFractionDigits: 2 });

const map = createMap(element);
const features = await fetchAllFeatures(element.dataset.citiesUrl);
// GeoJSON's style applies to the circles too (and before they are drawn), so it styles both.
function style(feature) {
  const entry = values[feature.id];
  if (feature.geometry.type === "Point") {
    return {
      radius: entry ? 4 + 18 * Math.sqrt(Math.abs(entry.value) / max) : 4,
      color: "#ffffff", weight: 1.5, fillOpacity: 0.85, fillColor: colour(entry?.value),
      className: `city city-marker city-${feature.id}`,
    };
  }
  return {
    color: "#5b6b7f", weight: 1.5, fillOpacity: 0.75, fillColor: colour(entry?.value),
    className: `city city-boundary city-${feature.id}`,
  };
}

const layer = L.geoJSON(features, {
  style,
  pointToLayer: (feature, latlng) => L.circleMarker(latlng, style(feature)),
  onEachFeature: (feature, item) => {
    const entry = values[feature.id];
    const figure = entry ? `${format(entry.value)} (#${entry.rank})` : gettext("no figure");
    item.bindTooltip(`${escapeHTML(feature.properties.name)}: ${escapeHTML(figure)}`);
    item.bindPopup(`<a href="${escapeHTML(feature.properties.url)}">${escapeHTML(feature.properties.name)}</a>: ${escapeHTML(figure)}`);
  },
}).addTo(map);

// The legend lists the classes that hold a city (few cities, or equal values, leave some empty).
const legend = document.getElementById("indicator-legend");
const bounds = [numbers[0], ...breaks, numbers[numbers.length - 1]];
const used = new Set(numbers.map(colour));
legend.innerHTML = RAMP.map((c, i) => (used.has(c)
  ? `<span><i style="background:${c}"></i>${escapeHTML(format(bounds[i]))} – ${escapeHTML(format(bounds[i + 1]))}</span>`
  : "")).join("")
  + `<span><i style="background:${NO_DATA}"></i>${escapeHTML(gettext("no figure"))}</span>`;
element.dataset.ready = "true";
window.portalMap = map;
window.indicatorLayer = layer;
