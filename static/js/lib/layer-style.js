// A layer's style (layers/styles.py) turned into Leaflet options: the map, the vector tiles, the
// legend and the admin preview all draw from this one module, so they always agree.
import { fetchJSON } from "./fetch.js";
import { escapeHTML } from "./html.js";

export const OTHER_COLOUR = "#bbbbbb";

// VectorGrid 1.3's points are CircleMarkers without a latlng, and Leaflet 1.9 asks a small
// marker for its latlng on a click, which throws. Without getLatLng, Leaflet takes the mouse's.
if (L.SVG.Tile) {
  const addPath = L.SVG.Tile.prototype._addPath;
  L.SVG.Tile.prototype._addPath = function (layer) {
    layer.getLatLng = undefined;
    addPath.call(this, layer);
  };
}

// The single symbol a feature gets: the style's symbol coloured by category or class.
export function symbolFor(style, properties, geometry) {
  const { symbol } = style;
  let colour = null;
  if (style.type === "categorized") {
    const value = properties[style.attribute];
    const category = value == null ? null : style.categories.find((c) => c.value === String(value));
    colour = category ? category.colour : OTHER_COLOUR;
  } else if (style.type === "graduated") {
    const raw = properties[style.attribute];
    const value = Number(raw);
    const found = raw == null || raw === "" || Number.isNaN(value)
      ? null
      : style.classes.find((c) => value >= c.min && value <= c.max);
    colour = found ? found.colour : OTHER_COLOUR;
  }
  if (!colour) return symbol;
  return geometry === "line" ? { ...symbol, stroke_colour: colour, fill_colour: colour } : { ...symbol, fill_colour: colour };
}

export function pathOptions(symbol, geometry) {
  return {
    color: symbol.stroke_colour,
    opacity: symbol.stroke_opacity,
    weight: symbol.width,
    fill: geometry !== "line",
    fillColor: symbol.fill_colour,
    fillOpacity: geometry === "line" ? 0 : symbol.fill_opacity,
    radius: symbol.radius,
  };
}

function iconFor(symbol) {
  const size = Math.round(symbol.radius * 2);
  return L.icon({ iconUrl: symbol.icon, iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
}

// Options for L.geoJSON: style, points as circles (or the style's icon).
export function geoJSONOptions(style, geometry) {
  return {
    style: (feature) => pathOptions(symbolFor(style, feature.properties, geometry), geometry),
    pointToLayer: (feature, latlng) => {
      const symbol = symbolFor(style, feature.properties, geometry);
      return symbol.icon
        ? L.marker(latlng, { icon: iconFor(symbol) })
        : L.circleMarker(latlng, pathOptions(symbol, geometry));
    },
  };
}

// Options for Leaflet.VectorGrid's vectorTileLayerStyles[layer].
export function vectorTileStyle(style, geometry) {
  return (properties) => {
    const symbol = symbolFor(style, properties, geometry);
    const options = pathOptions(symbol, geometry);
    if (symbol.icon && geometry === "point") options.icon = iconFor(symbol);
    return options;
  };
}

function swatch(symbol, geometry) {
  const o = pathOptions(symbol, geometry);
  const common = `stroke="${escapeHTML(o.color)}" stroke-opacity="${o.opacity}" stroke-width="${Math.min(o.weight, 4)}"`;
  let shape;
  if (geometry === "point") {
    shape = symbol.icon
      ? `<image href="${escapeHTML(symbol.icon)}" x="2" y="2" width="16" height="16"/>`
      : `<circle cx="10" cy="10" r="${Math.min(o.radius, 8)}" fill="${escapeHTML(o.fillColor)}" fill-opacity="${o.fillOpacity}" ${common}/>`;
  } else if (geometry === "line") {
    shape = `<path d="M2 14 L8 6 L12 12 L18 4" fill="none" ${common}/>`;
  } else {
    shape = `<rect x="2" y="3" width="16" height="14" fill="${escapeHTML(o.fillColor)}" fill-opacity="${o.fillOpacity}" ${common}/>`;
  }
  return `<svg class="swatch" width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">${shape}</svg>`;
}

// The legend entries of layers/styles.py legend() as list items.
export function legendItems(legend, geometry) {
  return legend
    .map((entry) => `<li>${swatch(entry.symbol, geometry)}<span>${escapeHTML(entry.label)}</span></li>`)
    .join("");
}

export function popupHTML(title, properties, url) {
  const rows = Object.entries(properties)
    .filter(([name]) => !name.startsWith("__"))
    .map(([name, value]) => `<tr><th scope="row">${escapeHTML(name)}</th><td>${escapeHTML(formatValue(value))}</td></tr>`)
    .join("");
  const link = url ? `<a href="${escapeHTML(url)}">${escapeHTML(gettext("Open the layer page"))}</a>` : "";
  return `<div class="feature-popup"><h3>${escapeHTML(title)}</h3><table>${rows}</table>${link}</div>`;
}

export function formatValue(value) {
  if (value == null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// A layer drawn from the server: GeoJSON for small layers, vector tiles for big ones. Each
// feature's click calls onFeatureClick(id, properties, latlng).
export async function dataLayer(config, onFeatureClick) {
  const { style, geometry } = config;
  if (config.tiles) {
    const layer = L.vectorGrid.protobuf(config.tileUrl, {
      rendererFactory: L.svg.tile,
      interactive: true,
      maxNativeZoom: 22,
      vectorTileLayerStyles: { [config.slug]: vectorTileStyle(style, geometry) },
      // VectorGrid hands click handlers the properties only; keep the feature id with them.
      getFeatureId: (feature) => {
        feature.properties.__id = feature.id;
        return feature.id;
      },
    });
    layer.on("click", (event) => {
      // Else the same click reaches the map, which closes the popup at once.
      L.DomEvent.stopPropagation(event);
      const properties = event.layer.properties;
      onFeatureClick(properties.__id, properties, event.latlng);
    });
    return layer;
  }
  const collection = await fetchJSON(config.geojsonUrl);
  return L.geoJSON(collection, {
    ...geoJSONOptions(style, geometry),
    onEachFeature: (feature, featureLayer) => {
      featureLayer.on("click", (event) => onFeatureClick(feature.id, feature.properties, event.latlng));
    },
  });
}
