/* The admin case page: action buttons open their Wagtail dialogs, and the place map.
 *
 * Without JavaScript each action button is a link to ?action=<name>, and the page shows that
 * action's form (a plain POST form) in the page itself; with it, the link opens the dialog
 * holding the same form.
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-case-action]");
    if (!link) {
      return;
    }
    var dialog = document.getElementById(link.getAttribute("data-a11y-dialog-show"));
    if (!dialog) {
      return; // the form is already in the page: follow the link to it
    }
    event.preventDefault();
    if (dialog.getAttribute("aria-hidden") !== "false") {
      dialog.dispatchEvent(new CustomEvent("w-dialog:show"));
    }
  });

  function text(value) {
    // Leaflet writes a string tooltip as HTML: give it an element holding plain text.
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function drawMap() {
    var element = document.getElementById("case-map");
    var script = document.getElementById("case-map-data");
    if (!element || !script || !window.L) {
      return;
    }
    var data = JSON.parse(script.textContent);
    var tiles = element.getAttribute("data-tiles");
    var map = window.L.map(element, {
      attributionControl: Boolean(tiles),
      zoomControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.25
    });
    window.L.control.zoom({
      zoomInTitle: element.getAttribute("data-zoom-in") || "+",
      zoomOutTitle: element.getAttribute("data-zoom-out") || "-"
    }).addTo(map);
    var layers = [];
    var bounds = null;
    if (data.cell) {
      var cell = window.L.geoJSON(data.cell, {
        style: { color: "#007d7e", weight: 2, fillColor: "#007d7e", fillOpacity: 0.12 }
      });
      if (data.cell_name) {
        cell.bindTooltip(text(data.cell_name));
      }
      bounds = cell.getBounds();
      layers.push(cell);
    }
    if (data.point) {
      var point = window.L.latLng(data.point.lat, data.point.lng);
      layers.push(window.L.circleMarker(point, {
        radius: 7, color: "#cd4444", weight: 3, fillColor: "#cd4444", fillOpacity: 0.9
      }).bindTooltip(text(data.title)));
      bounds = bounds ? bounds.extend(point) : window.L.latLngBounds([point, point]);
    }
    // The view first: Leaflet cannot place vector layers on a map without one.
    map.fitBounds(bounds.pad(0.15), { maxZoom: 17 });
    if (tiles) {
      window.L.tileLayer(tiles, {
        maxZoom: 19,
        attribution: element.getAttribute("data-attribution") || ""
      }).addTo(map);
    }
    layers.forEach(function (layer) { layer.addTo(map); });
    element.setAttribute("data-drawn", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawMap);
  } else {
    drawMap();
  }
})();
