// The language switcher (templates/base.html and the admin's, geoportal/languages.py): the page's
// state may have changed since it was drawn (maps write #map=..., the services page ?near=...),
// so `next` is read from the address bar at the moment of the switch.
export function keepStateOnLanguageSwitch(root = document) {
  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("form.language-switcher")) return;
    const next = form.elements.namedItem("next");
    if (next) next.value = `${location.pathname}${location.search}${location.hash}`;
  });
}
