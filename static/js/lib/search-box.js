// The one search box (templates/includes/search_box.html, /api/v1/search/): an ARIA 1.2
// combobox with a list box of results. Arrow keys move through the results, Enter picks one,
// Escape closes the list (and a second Escape clears the box); the number of results is read
// out by a live region. Picking a result flies the map there and opens its popup.
import { fetchJSON } from "./fetch.js";
import { escapeHTML } from "./html.js";

const DELAY_MS = 200;
// How close a result is shown when it has no extent of its own.
const ZOOMS = { city: 12, region: 8, layer: 10, feature: 14, service: 17 };

export function flyToResult(map, result) {
  if (result.bbox && result.bbox[0] !== result.bbox[2]) {
    const [minx, miny, maxx, maxy] = result.bbox;
    map.flyToBounds([[miny, minx], [maxy, maxx]], { maxZoom: ZOOMS[result.kind] || 14, duration: 0.6 });
  } else {
    map.flyTo([result.lat, result.lon], ZOOMS[result.kind] || 14, { duration: 0.6 });
  }
}

// What any page shows for a result it has no popup of its own for: its name, kind and page.
export function resultPopupHTML(result) {
  const link = result.url ? `<a href="${escapeHTML(result.url)}">${escapeHTML(gettext("Open its page"))}</a>` : "";
  return `<div class="result-popup"><h3>${escapeHTML(result.name)}</h3>
    <p>${escapeHTML(result.kind_label)}${result.detail ? ` · ${escapeHTML(result.detail)}` : ""}</p>${link}</div>`;
}

// form: the search box's form; map: the Leaflet map (its centre ranks the results);
// onPick(result): opens the page's own popup for a result and says so (true, or a promise of
// true); otherwise the default popup is shown.
export function searchBox(form, map, onPick = () => false) {
  const input = form.querySelector("[role=combobox]");
  const list = form.querySelector("[role=listbox]");
  const status = form.querySelector("[role=status]");
  let results = [];
  let active = -1;
  let timer = null;
  let controller = null;

  function open(isOpen) {
    list.hidden = !isOpen;
    input.setAttribute("aria-expanded", String(isOpen));
    if (!isOpen) setActive(-1);
  }

  function setActive(index) {
    active = index;
    for (const [i, option] of [...list.children].entries()) option.setAttribute("aria-selected", String(i === index));
    const option = list.children[index];
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function render() {
    list.innerHTML = results.map((r, i) => `<li role="option" id="${list.id}-${i}" aria-selected="false" data-index="${i}" class="search-result search-${escapeHTML(r.kind)}">
      <span class="result-name">${escapeHTML(r.name)}</span>
      <span class="result-detail">${escapeHTML(r.kind_label)}${r.detail ? ` · ${escapeHTML(r.detail)}` : ""}</span></li>`).join("");
    status.textContent = results.length
      ? interpolate(ngettext("%s result. Use the arrow keys to choose.", "%s results. Use the arrow keys to choose.", results.length), [results.length])
      : gettext("Nothing found.");
    open(true);
    if (!results.length) list.innerHTML = `<li class="search-empty" aria-disabled="true">${escapeHTML(gettext("Nothing found."))}</li>`;
  }

  async function search() {
    const text = input.value.trim();
    if (text.length < 2) { results = []; open(false); status.textContent = ""; return; }
    if (controller) controller.abort();
    controller = new AbortController();
    const centre = map.getCenter();
    const params = new URLSearchParams({ q: text, near: `${centre.lng.toFixed(4)},${centre.lat.toFixed(4)}`, limit: "8" });
    form.setAttribute("aria-busy", "true");
    try {
      const data = await fetchJSON(`${form.dataset.searchUrl}?${params}`, { signal: controller.signal });
      if (input.value.trim() !== text) return;
      results = data.results;
      render();
    } catch (error) {
      if (error.name === "AbortError") return;
      results = [];
      list.innerHTML = "";
      open(false);
      status.textContent = gettext("The search is not available right now. Please try again.");
    } finally {
      form.removeAttribute("aria-busy");
    }
  }

  function pick(index) {
    const result = results[index];
    if (!result) return;
    input.value = result.name;
    open(false);
    flyToResult(map, result);
    map.once("moveend", async () => {
      let done = false;
      try {
        done = await onPick(result);
      } catch (error) {
        console.error(error);
      }
      if (!done) {
        L.popup({ maxWidth: 320 }).setLatLng([result.lat, result.lon]).setContent(resultPopupHTML(result)).openOn(map);
      }
      form.dataset.picked = result.id;
    });
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, DELAY_MS); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden && results.length) open(true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((active + step + results.length) % Math.max(results.length, 1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active >= 0) pick(active);
      else if (results.length) pick(0);
      else { clearTimeout(timer); search(); }
    } else if (event.key === "Escape") {
      if (!list.hidden) open(false);
      else input.value = "";
    }
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the box
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[data-index]");
    if (option) pick(Number(option.dataset.index));
  });
  input.addEventListener("blur", () => setTimeout(() => open(false), 150));
  input.addEventListener("focus", () => { if (results.length) open(true); });
}
