// Editing on the layer page, loaded only for those who may edit the layer: leaflet-geoman's
// tools on the map (add, move, reshape, delete), typed attribute forms in the popup and the
// table, optional snapping, undo of the last change, and the history. Every change is written
// at once through the OGC API (Part 4), which checks it; the map and table are then reloaded
// from the server, so what is shown is what was stored.
import { escapeHTML } from "../html.js";
import { request } from "./api.js";
import { formHTML, inputHTML, readProperties } from "./attributes.js";
import { historyPanel } from "./history.js";
import { geomanTexts } from "./texts.js";

export async function startEditing({ map, dataLayer, config, reloadTable }) {
  const editing = config.editing;
  const attributes = editing.attributes;
  const status = document.getElementById("edit-status");
  const undoButton = document.getElementById("edit-undo");
  const undoStack = [];
  const itemUrl = (id) => `${editing.itemsUrl}/${id}`;

  function say(text, isError = false) {
    status.textContent = text;
    status.classList.toggle("error", isError);
  }

  // One change at a time; then the map, table and history show what the server stored.
  async function change(work, done) {
    say(gettext("Saving…"));
    try {
      const result = await work();
      if (result && result.editId) undoStack.push(result.editId);
      undoButton.disabled = !undoStack.length;
      say(done);
      await refresh();
      return result;
    } catch (error) {
      say(error.message, true);
      await refresh();
      return null;
    }
  }

  const write = (method, url, body, contentType) => request(method, url, { body, csrfToken: editing.csrfToken, contentType });

  async function refresh() {
    if (config.tiles) {
      dataLayer.setUrl(config.tileUrl.replace(/([?&])v=[^&]*/, `$1v=${Date.now()}`));
    } else {
      const { data } = await request("GET", config.geojsonUrl);
      dataLayer.clearLayers();
      dataLayer.addData(data);
      watchFeatures();
    }
    await reloadTable();
    await history.load();
  }

  // leaflet-geoman: the tools fitting the layer's geometry, in the page's language.
  map.pm.setLang(document.documentElement.lang, geomanTexts(), "en");
  const family = config.geometry;
  map.pm.addControls({
    position: "topleft",
    drawMarker: false, drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false,
    drawCircleMarker: family === "point", drawPolyline: family === "line",
    drawPolygon: family === "polygon", drawRectangle: family === "polygon",
    editMode: family !== "point", dragMode: true, removalMode: true,
  });
  map.pm.setGlobalOptions({ snappable: false, continueDrawing: false });
  document.getElementById("edit-snapping").addEventListener("change", (event) => {
    map.pm.setGlobalOptions({ snappable: event.target.checked, snapDistance: 15 });
  });

  function geometryOf(featureLayer) {
    return featureLayer.toGeoJSON(15).geometry;
  }

  // A moved or reshaped feature is saved when the drag or vertex move ends.
  let pending = null;
  function onEdited(event) {
    const featureLayer = event.layer || event.target;
    if (!featureLayer.feature) return;
    clearTimeout(pending);
    pending = setTimeout(() => change(
      () => write("PATCH", itemUrl(featureLayer.feature.id), { geometry: geometryOf(featureLayer) }, "application/merge-patch+json"),
      interpolate(gettext("Feature %s moved or reshaped: saved."), [featureLayer.feature.id]),
    ), 150);
  }
  function watchFeatures() {
    if (!dataLayer.eachLayer) return;
    dataLayer.eachLayer((featureLayer) => {
      featureLayer.off("pm:edit", onEdited);
      featureLayer.on("pm:edit", onEdited);
    });
  }
  watchFeatures();

  map.on("pm:create", async (event) => {
    const geometry = geometryOf(event.layer);
    event.layer.remove();
    const result = await change(
      () => write("POST", editing.itemsUrl, { type: "Feature", geometry, properties: {} }),
      gettext("Feature added: saved. Fill in its attributes."),
    );
    if (result && result.data) editInPopup(result.data.id, result.data.properties, event.layer.getBounds ? event.layer.getBounds().getCenter() : event.layer.getLatLng());
  });
  map.on("pm:remove", (event) => {
    const feature = event.layer.feature;
    if (!feature) return;
    change(() => write("DELETE", itemUrl(feature.id)), interpolate(gettext("Feature %s deleted: saved."), [feature.id]));
  });

  // Attributes in the popup: a feature's popup gets "Edit attributes" and "History".
  let clicked = null;
  dataLayer.on("click", (event) => {
    const source = event.layer || event.propagatedFrom || {};
    const id = source.feature ? source.feature.id : source.properties && source.properties.__id;
    clicked = id == null ? null : { id, latlng: event.latlng };
  });
  // The page opens the popup before the click reaches the layer's own listeners: wait a turn.
  map.on("popupopen", (event) => setTimeout(() => addPopupActions(event.popup), 0));
  function addPopupActions(popup) {
    const element = popup.getElement();
    const content = element && element.querySelector(".feature-popup");
    if (!content || !clicked || content.querySelector(".edit-actions")) return;
    const { id } = clicked;
    const actions = document.createElement("div");
    actions.className = "edit-actions";
    actions.innerHTML = `<button type="button" data-action="edit">${escapeHTML(gettext("Edit attributes"))}</button>`
      + `<button type="button" data-action="history">${escapeHTML(gettext("History"))}</button>`
      + `<button type="button" data-action="delete">${escapeHTML(gettext("Delete"))}</button>`
      // Tiles are pictures of features: a tiled layer's feature is fetched to be moved.
      + (config.tiles ? `<button type="button" data-action="shape">${escapeHTML(gettext("Move or reshape"))}</button>` : "");
    actions.addEventListener("click", async (click) => {
      const action = click.target.dataset.action;
      if (action === "shape") {
        map.closePopup(popup);
        const { data } = await request("GET", itemUrl(id));
        editShape(data);
      } else if (action === "delete") {
        if (!window.confirm(interpolate(gettext("Delete feature %s?"), [id]))) return;
        map.closePopup(popup);
        await change(() => write("DELETE", itemUrl(id)), interpolate(gettext("Feature %s deleted: saved."), [id]));
      } else if (action === "history") {
        await history.load(id);
        document.getElementById("history-title").scrollIntoView({ block: "start" });
      } else if (action === "edit") {
        const { data } = await request("GET", itemUrl(id));
        editInPopup(id, data.properties, popup.getLatLng());
      }
    });
    content.append(actions);
  }

  // One feature of a tiled layer as an editable vector, saved (then dropped) when let go.
  function editShape(feature) {
    const style = { color: "#e8590c", weight: 3, radius: 8 };
    const overlay = L.geoJSON(feature, { style, pointToLayer: (f, latlng) => L.circleMarker(latlng, style) }).addTo(map);
    overlay.eachLayer((shape) => {
      if (shape instanceof L.CircleMarker) shape.pm.enableLayerDrag();
      else shape.pm.enable();
      shape.on("pm:edit", () => {
        clearTimeout(pending);
        pending = setTimeout(async () => {
          await change(
            () => write("PATCH", itemUrl(feature.id), { geometry: geometryOf(shape) }, "application/merge-patch+json"),
            interpolate(gettext("Feature %s moved or reshaped: saved."), [feature.id]),
          );
          overlay.remove();
        }, 150);
      });
    });
    say(gettext("Drag the feature or its vertices: it is saved when you let go."));
  }

  function editInPopup(id, properties, latlng) {
    const popup = L.popup({ maxWidth: 320 }).setLatLng(latlng)
      .setContent(`<div class="feature-edit"><h3>${escapeHTML(interpolate(gettext("Feature %s"), [id]))}</h3>${formHTML(attributes, properties, `popup-${id}`)}</div>`)
      .openOn(map);
    const form = popup.getElement().querySelector("form");
    form.querySelector("[data-action=cancel]").addEventListener("click", () => map.closePopup(popup));
    form.addEventListener("submit", (submit) => {
      submit.preventDefault();
      saveAttributes(id, form).then((ok) => ok && map.closePopup(popup));
    });
  }

  async function saveAttributes(id, container) {
    let properties;
    try {
      properties = readProperties(attributes, container);
    } catch (error) {
      say(error.message, true);
      return false;
    }
    const result = await change(
      () => write("PATCH", itemUrl(id), { properties }, "application/merge-patch+json"),
      interpolate(gettext("Attributes of feature %s: saved."), [id]),
    );
    return Boolean(result);
  }

  // Attributes in the table: an "Edit" button per row turns its cells into typed inputs.
  const table = document.getElementById("features-table");
  const headRow = table.querySelector("thead tr");
  headRow.insertAdjacentHTML("beforeend", `<th scope="col"><span class="visually-hidden">${escapeHTML(gettext("Edit"))}</span></th>`);
  function addRowButtons() {
    for (const row of table.querySelectorAll("tbody tr[data-id]")) {
      if (row.querySelector(".edit-cell")) continue;
      row.insertAdjacentHTML("beforeend", `<td class="edit-cell"><button type="button" data-action="edit-row">${escapeHTML(gettext("Edit"))}</button></td>`);
    }
  }
  new MutationObserver(addRowButtons).observe(table.querySelector("tbody"), { childList: true });
  addRowButtons();
  // Captured on the table, so that the page's own row click (zoom to the feature) and Enter
  // leave the edit buttons and inputs alone.
  table.addEventListener("click", async (event) => {
    if (!event.target.closest(".edit-cell, input, select")) return;
    event.stopPropagation();
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const row = button.closest("tr");
    const id = Number(row.dataset.id);
    if (button.dataset.action === "edit-row") {
      const { data } = await request("GET", itemUrl(id));
      const cells = row.querySelectorAll("td:not(.edit-cell)");
      attributes.forEach((attribute, i) => {
        if (cells[i]) cells[i].innerHTML = inputHTML(attribute, data.properties[attribute.name], `row-${id}-${i}`);
      });
      button.closest("td").innerHTML = `<button type="button" data-action="save-row">${escapeHTML(gettext("Save"))}</button> <button type="button" data-action="cancel-row">${escapeHTML(gettext("Cancel"))}</button>`;
    } else if (button.dataset.action === "save-row") {
      await saveAttributes(id, row);
    } else if (button.dataset.action === "cancel-row") {
      await reloadTable();
    }
  }, true);
  table.addEventListener("keydown", (event) => {
    if (event.target.closest(".edit-cell, input, select")) event.stopPropagation();
  }, true);

  undoButton.addEventListener("click", () => {
    const last = undoStack.pop();
    undoButton.disabled = !undoStack.length;
    if (last == null) return;
    change(() => write("POST", editing.revertUrl.replace("/0/", `/${last}/`)).then(() => null), gettext("The last change was undone."));
  });

  const history = historyPanel(editing, {
    onReverted: async () => {
      say(gettext("The change was reverted."));
      await refresh();
    },
    onError: (error) => say(error.message, true),
  });
  if (editing.importing) say(gettext("A re-import of this layer is under way: edits are refused until it ends."), true);
  await history.load();
}
