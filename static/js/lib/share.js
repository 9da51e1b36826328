// The share button of the maps: copies the page's address (with its #map= state) and says so
// in a toast; where the system has a share sheet (phones) it is offered instead.
import { escapeHTML } from "./html.js";

export function toast(text) {
  let box = document.getElementById("toast");
  if (!box) {
    box = document.createElement("div");
    box.id = "toast";
    box.className = "toast";
    box.setAttribute("role", "status");
    document.body.append(box);
  }
  box.textContent = text;
  box.classList.add("shown");
  clearTimeout(box.timer);
  box.timer = setTimeout(() => box.classList.remove("shown"), 3000);
}

async function share() {
  const url = location.href;
  try {
    if (navigator.share && matchMedia("(pointer: coarse)").matches) {
      await navigator.share({ title: document.title, url });
      return;
    }
    await navigator.clipboard.writeText(url);
    toast(gettext("Link copied"));
  } catch (error) {
    if (error.name === "AbortError") return;
    // No clipboard (an insecure origin, a refusal): show the link to copy by hand.
    window.prompt(gettext("Copy this link:"), url);
  }
}

export function shareControl(position = "topleft") {
  const Share = L.Control.extend({
    onAdd() {
      const div = L.DomUtil.create("div", "leaflet-bar leaflet-control");
      const label = gettext("Share this map view");
      div.innerHTML = `<button type="button" class="map-button share-button" title="${escapeHTML(label)}" aria-label="${escapeHTML(label)}">⤴</button>`;
      L.DomEvent.disableClickPropagation(div);
      div.querySelector("button").addEventListener("click", share);
      return div;
    },
  });
  return new Share({ position });
}
