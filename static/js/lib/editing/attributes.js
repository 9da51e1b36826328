// Typed inputs for a layer's attributes (numbers, dates, yes/no, choices), as the server checks
// them (layers/editing/checks.py): the same inputs serve the popup's form and the table's row.
import { escapeHTML } from "../html.js";

const NUMBER_TYPES = new Set(["number", "real", "float", "double"]);

export function inputHTML(attribute, value, id) {
  const name = escapeHTML(attribute.name);
  const common = `id="${id}" name="${name}" data-attribute="${name}" aria-label="${name}"`;
  const options = (values, current) => [`<option value="">—</option>`, ...values.map(
    ([key, label]) => `<option value="${escapeHTML(key)}"${key === current ? " selected" : ""}>${escapeHTML(label)}</option>`,
  )].join("");
  if (attribute.choices && attribute.choices.length) {
    const current = value == null ? "" : String(value);
    return `<select ${common}>${options(attribute.choices.map((c) => [String(c), String(c)]), current)}</select>`;
  }
  if (attribute.type === "boolean") {
    const current = value == null ? "" : String(value);
    return `<select ${common}>${options([["true", gettext("yes")], ["false", gettext("no")]], current)}</select>`;
  }
  const text = value == null ? "" : escapeHTML(String(value));
  if (attribute.type === "integer") return `<input type="number" step="1" ${common} value="${text}">`;
  if (NUMBER_TYPES.has(attribute.type)) return `<input type="number" step="any" ${common} value="${text}">`;
  if (attribute.type === "date") return `<input type="date" ${common} value="${text}">`;
  if (attribute.type === "datetime") return `<input type="datetime-local" ${common} value="${text.slice(0, 16)}">`;
  return `<input type="text" ${common} value="${text}">`;
}

// The typed value of an input, or throws an Error naming the attribute.
export function readValue(attribute, input) {
  const raw = input.value.trim();
  if (raw === "") return null;
  if (attribute.choices && attribute.choices.length) {
    return attribute.choices.find((c) => String(c) === raw) ?? raw;
  }
  if (attribute.type === "boolean") return raw === "true";
  if (attribute.type === "integer" || NUMBER_TYPES.has(attribute.type)) {
    const number = Number(raw);
    if (!Number.isFinite(number) || (attribute.type === "integer" && !Number.isInteger(number))) {
      throw new Error(interpolate(gettext("%s: a number is expected"), [attribute.name]));
    }
    return number;
  }
  return raw;
}

// The properties edited in `container`'s inputs.
export function readProperties(attributes, container) {
  const properties = {};
  for (const attribute of attributes) {
    const input = container.querySelector(`[data-attribute="${CSS.escape(attribute.name)}"]`);
    if (input) properties[attribute.name] = readValue(attribute, input);
  }
  return properties;
}

export function formHTML(attributes, properties, prefix) {
  const fields = attributes.map((attribute, i) => `<label for="${prefix}-${i}">${escapeHTML(attribute.name)}</label>${
    inputHTML(attribute, properties[attribute.name], `${prefix}-${i}`)}`).join("");
  return `<form class="edit-form">${fields}<div class="edit-actions"><button type="submit">${
    escapeHTML(gettext("Save"))}</button><button type="button" data-action="cancel">${escapeHTML(gettext("Cancel"))}</button></div></form>`;
}
