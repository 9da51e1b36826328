// A failed data request is said on the map, in plain words, with a button to try again; the
// map never stays blank without a word why.
import { escapeHTML } from "./html.js";

function messageFor(error) {
  if (error && error.status === 429) return gettext("Too many requests just now: the map data could not be loaded. Wait a moment and try again.");
  if (!navigator.onLine) return gettext("You seem to be offline: the map data could not be loaded.");
  return gettext("The map data could not be loaded.");
}

// Runs load(); on failure shows the message over `element` (the map's container) and runs
// load() again when asked. Resolves with load()'s value once it has succeeded.
export function loadWithRetry(element, load) {
  return new Promise((resolve) => {
    const attempt = async () => {
      try {
        const value = await load();
        element.querySelector(".map-status")?.remove();
        resolve(value);
      } catch (error) {
        console.error(error);
        let box = element.querySelector(".map-status");
        if (!box) {
          box = document.createElement("div");
          box.className = "map-status";
          box.setAttribute("role", "alert");
          element.append(box);
        }
        box.innerHTML = `<p>${escapeHTML(messageFor(error))}</p><button type="button">${escapeHTML(gettext("Try again"))}</button>`;
        box.querySelector("button").addEventListener("click", () => { box.remove(); attempt(); }, { once: true });
      }
    };
    attempt();
  });
}
