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
  return state;
}

// The week from today (the API's opening_hours_week), today's row marked, holidays noted.
export function hoursTable(props) {
  const days = props.opening_hours_week || [];
  if (!days.length) return "";
  const rows = days.map((d) => `<tr${d.today ? ' class="today" aria-current="date"' : ""}>
    <th scope="row">${escapeHTML(d.day)}${d.today ? ` <span class="muted">(${escapeHTML(gettext("today"))})</span>` : ""}${d.holiday ? ` <span class="holiday">${escapeHTML(gettext("public holiday"))}</span>` : ""}</th>
    <td>${escapeHTML(d.hours)}</td></tr>`).join("");
  return `<table class="hours-table"><caption>${escapeHTML(gettext("Opening hours"))}</caption><tbody>${rows}</tbody></table>`;
}

export function servicePopup(props) {
  const lines = [];
  lines.push(`<p class="service-category">${escapeHTML(props.category_name)}</p>`);
  if (props.distance_m != null) lines.push(`<p>${escapeHTML(formatDistance(props.distance_m))}</p>`);
  if (props.address) lines.push(`<p>${escapeHTML(props.address)}</p>`);
  if (props.opening_hours) lines.push(`<p>${openLabel(props)}</p>${hoursTable(props)}`);
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
  lines.push(`<p class="source">${escapeHTML(gettext("Source:"))} ${escapeHTML(props.source_label || props.source)}</p>`);
  return `<div class="service-popup"><h3>${escapeHTML(props.name)}</h3>${lines.join("")}</div>`;
}

export function serviceMarker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const props = feature.properties;
  const icon = L.divIcon({
    className: `service-marker service-${props.category}`,
    html: `<span style="background:${escapeHTML(props.colour)}">${escapeHTML(props.icon)}</span>`,
    iconSize: [28, 28],
    iconAnchor: [14, 14],
  });
  // Not in the Tab order: the list beside the map opens each service from the keyboard, and
  // markers crowded in a street would be targets too small to tell apart.
  const marker = L.marker([lat, lon], { icon, title: props.name, keyboard: false });
  marker.bindPopup(servicePopup(props));
  return marker;
}

export function clusterLayer() {
  // 44 px bubbles: big enough for a finger.
  return L.markerClusterGroup({
    showCoverageOnHover: false, maxClusterRadius: 50,
    iconCreateFunction: (cluster) => {
      const count = cluster.getChildCount();
      const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      return L.divIcon({ html: `<div><span>${count}</span></div>`, className: `marker-cluster marker-cluster-${size}`, iconSize: L.point(44, 44) });
    },
  });
}
