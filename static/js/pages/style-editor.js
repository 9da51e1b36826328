// The admin's style editor: each change of the form is checked by the server (the same
// validation as on save) and the map and legend are redrawn from the returned style. The
// colours of a categorised style are a table here, kept as JSON in the form's hidden field.
import { createMap } from "../lib/map.js";
import { dataLayer, legendItems, popupHTML } from "../lib/layer-style.js";

const config = JSON.parse(document.getElementById("style-config").textContent);
const form = document.getElementById("style-form");
const errors = document.getElementById("style-errors");
const element = document.getElementById("style-map");
const map = createMap(element);
if (config.bounds) {
  const [minx, miny, maxx, maxy] = config.bounds;
  map.fitBounds([[miny, minx], [maxy, maxx]], { maxZoom: 16, padding: [10, 10] });
}

let current = null;
let drawing = 0;
async function draw(style, legend) {
  const ticket = ++drawing;
  const next = await dataLayer({ ...config, style }, (id, properties, latlng) => {
    L.popup().setLatLng(latlng).setContent(popupHTML(config.title, properties)).openOn(map);
  });
  if (ticket !== drawing) return; // a newer preview is on its way
  if (current) map.removeLayer(current);
  current = next.addTo(map);
  document.getElementById("legend").innerHTML = legendItems(legend, config.geometry);
  element.dataset.ready = "true";
}

const categories = document.getElementById("style-categories");
const rows = categories.querySelector("tbody");

function input(type, value, label) {
  const element = document.createElement("input");
  element.type = type;
  element.value = value;
  element.setAttribute("aria-label", label);
  return element;
}

function showCategories(style) {
  const list = style.type === "categorized" ? style.categories || [] : [];
  categories.hidden = style.type !== "categorized";
  form.elements.categories.value = list.length ? JSON.stringify(list) : "";
  rows.replaceChildren(...list.map((category) => {
    const row = document.createElement("tr");
    row.dataset.value = category.value;
    const cells = [category.value, input("text", category.label, category.value),
      input("color", category.colour, category.value)];
    for (const content of cells) row.insertCell().append(content);
    return row;
  }));
}

// Edits in the table go back into the hidden JSON before the form's own listener previews it.
rows.addEventListener("input", () => {
  const list = [...rows.querySelectorAll("tr")].map((row) => ({
    value: row.dataset.value,
    label: row.querySelector("input[type=text]").value,
    colour: row.querySelector("input[type=color]").value,
  }));
  form.elements.categories.value = JSON.stringify(list);
});

let timer = null;
async function preview() {
  const response = await fetch(config.previewUrl, { method: "POST", body: new FormData(form) });
  const data = await response.json();
  if (!response.ok) {
    errors.textContent = Object.values(data.errors || {}).flat().map((e) => e.message).join(" ");
    return;
  }
  errors.textContent = "";
  if (!rows.contains(document.activeElement)) showCategories(data.style);
  await draw(data.style, data.legend);
}

form.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(preview, 300);
});
form.elements.attribute.addEventListener("change", () => {
  // New attribute, new values: let the server pick the categories again.
  form.elements.categories.value = "";
});
showCategories(config.style);
await draw(config.style, config.legend);
