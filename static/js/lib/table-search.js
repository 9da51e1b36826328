// The attribute table's filters (the layer page): words searched in every column (contains,
// any case, any accents: layers.queries.text_match) by default, or one column's exact value.
export function readTableFilter(form) {
  const column = form.elements.namedItem("column");
  const value = form.elements.namedItem("value");
  return {
    q: form.elements.namedItem("q").value.trim(),
    column: value.value.trim() ? column.value : "",
    value: value.value.trim(),
  };
}

// Calls onChange(filter) on a submit and, for the word search, as the reader types (debounced).
export function tableSearch(form, onChange, delay = 300) {
  let timer = null;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    onChange(readTableFilter(form));
  });
  form.elements.namedItem("q").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => onChange(readTableFilter(form)), delay);
  });
}
