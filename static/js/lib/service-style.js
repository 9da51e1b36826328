// How services are drawn on every map and what their popups and list entries say.
import { formatNumber } from "./format.js";
import { escapeHTML } from "./html.js";

export function formatDistance(metres) {
  if (metres == null) return "";
  if (metres < 1000) return `${formatNumber(Math.round(metres))} ${gettext("m")}`;
  return `${formatNumber(metres / 1000, { maximumFractionDigits: 1 })} ${gettext("km")}`;
}

export function openLabel(props) {
  if (!props.opening_hours) return "";
  const state = props.open_now === true
    ? `<strong class="open">${escapeHTML(gettext("open now"))}</strong>`
    : props.open_now === false
      ? `<strong class="closed">${escapeHTML(gettext("closed now"))}</strong>`
      : "";
  return `${state} <code>${escapeHTML(props.opening_hours)}</code>`;
}

export function servicePopup(props) {
  const lines = [];
  lines.push(`<p class="service-category">${escapeHTML(props.category_name)}</p>`);
  if (props.distance_m != null) lines.push(`<p>${escapeHTML(formatDistance(props.distance_m))}</p>`);
  if (props.address) lines.push(`<p>${escapeHTML(props.address)}</p>`);
  if (props.opening_hours) lines.push(`<p>${openLabel(props)}</p>`);
  if (props.phone) {
    const tel = props.phone.replace(/[^+\d]/g, "");
    lines.push(`<p><a href="tel:${escapeHTML(tel)}">${escapeHTML(props.phone)}</a></p>`);
  }
  if (props.website && /^https?:\/\//i.test(props.website)) {
    lines.push(`<p><a href="${escapeHTML(props.website)}" rel="noopener" target="_blank">${escapeHTML(gettext("Website"))}</a></p>`);
  }
  if (props.city_name) {
    const basis = props.city_basis === "nearest_point"
      ? ` (${escapeHTML(gettext("near the city; boundary not yet published"))})` : "";
    lines.push(`<p>${escapeHTML(props.city_name)}${basis}</p>`);
  }
  lines.push(`<p class="source">${escapeHTML(gettext("Source:"))} ${escapeHTML(props.source)}</p>`);
  return `<div class="service-popup"><h3>${escapeHTML(props.name)}</h3>${lines.join("")}</div>`;
}

export function serviceMarker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const props = feature.properties;
  const icon = L.divIcon({
    className: `service-marker service-${props.category}`,
    html: `<span style="background:${escapeHTML(props.colour)}">${escapeHTML(props.icon)}</span>`,
    iconSize: [22, 22],
    iconAnchor: [11, 11],
  });
  const marker = L.marker([lat, lon], { icon, title: props.name });
  marker.bindPopup(servicePopup(props));
  return marker;
}

export function clusterLayer() {
  return L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
}
