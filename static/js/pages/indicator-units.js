// The admin's indicator value and target forms: beside each number, the chosen indicator's
// unit, the values it allows and which way is better (words from the server, in #indicator-units).
const units = JSON.parse(document.getElementById("indicator-units").textContent);
const select = document.getElementById("id_indicator");

function show() {
  const chosen = units[select?.value] || { unit: "", note: "" };
  for (const span of document.querySelectorAll(".field-unit")) {
    span.textContent = chosen.note ? `${chosen.unit} (${chosen.note})` : chosen.unit;
  }
}

if (select) {
  select.addEventListener("change", show);
  // The admin's autocomplete (select2) announces its choice through jQuery only.
  window.django?.jQuery?.(select).on("change", show);
}
show();
