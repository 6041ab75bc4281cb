/* The hot spots' map in the admin (indicators/templates/indicators/hotspots/includes/map.html).
 *
 * Draws the district's grid faintly (the public grid GeoJSON, data-grid-url) and the hot spots'
 * cells on top from the JSON embedded in the page, recurring ones in red; a cell links to its
 * hot spot. No tiles: the grid is the map, as on the public pages without a tile server.
 * Without JavaScript the map stays hidden and the table says everything.
 */
(function () {
  "use strict";
  var L = window.L;
  if (!L) {
    return;
  }
  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-data-id"));
    var data = source ? JSON.parse(source.textContent) : { features: [] };
    element.hidden = false;
    var map = L.map(element, { zoomSnap: 0.25 });
    var centre = (element.getAttribute("data-center") || "").split(",").map(parseFloat);
    if (centre.length === 2 && !isNaN(centre[0])) {
      map.setView(centre, 12, { animate: false });
    }
    var spots = L.geoJSON(data, {
      style: function (feature) {
        var colour = feature.properties.recurring ? "#b3261e" : "#b7791f";
        return { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.45 };
      },
      onEachFeature: function (feature, layer) {
        var text = feature.properties.label + " (" + feature.properties.count + ")";
        layer.bindTooltip(text);
        if (feature.properties.url) {
          layer.on("click", function () {
            window.location.href = feature.properties.url;
          });
        }
      }
    });
    function finish(grid) {
      // The view first: Leaflet cannot place vector layers on a map without one.
      map.invalidateSize();
      var gridLayer = grid
        ? L.geoJSON(grid, {
            interactive: false,
            style: { color: "#888", weight: 1, opacity: 0.6, fillOpacity: 0.03 }
          })
        : null;
      var bounds = data.features.length ? spots.getBounds() : gridLayer && gridLayer.getBounds();
      if (bounds && bounds.isValid()) {
        map.fitBounds(bounds.pad(0.3), { maxZoom: 15, animate: false });
      }
      if (gridLayer) {
        gridLayer.addTo(map);
      }
      spots.addTo(map);
      element.setAttribute("data-drawn", "true");
    }
    fetch(element.getAttribute("data-grid-url"), { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(finish)
      .catch(function () {
        finish(null);
      });
  }

  // The admin loads its scripts in the head: draw once the page is there.
  function drawAll() {
    document.querySelectorAll(".hotspots-map").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
