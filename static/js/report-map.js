/* The maps of the report form (#place-map) and of the public list (#reports-map), on Leaflet.
 *
 * Both draw the district's grid from the grid GeoJSON (data-grid-url); a tile layer is added
 * only when one is configured (data-tiles), otherwise the grid itself is the map. Everything
 * here is an enhancement: without JavaScript the containers stay hidden and the form's selects
 * and coordinate fields, and the list, work alone.
 *
 * The form's map finds the grid cell of a tapped or dragged point in the browser (a ray-casting
 * point-in-polygon test on the GeoJSON features, as complaints/geo.py does on the server) and
 * fills the town, community and cell selects; the server checks the point again.
 * The list's map shows one marker per grid cell (the list names the cell, so the map is never
 * more precise), clustered on a pixel grid when markers come close.
 */
(function () {
  "use strict";
  var L = window.L;
  if (!L) {
    return;
  }

  var TOWN_COLOURS = ["#2b6cb0", "#2f855a", "#b7791f", "#9b2c2c", "#6b46c1", "#2c7a7b", "#975a16"];
  var CLUSTER_PX = 56;

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      }
    );
  }

  function baseMap(element) {
    element.hidden = false;
    var map = L.map(element, { zoomSnap: 0.25 });
    var tiles = element.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 19,
        attribution: element.getAttribute("data-attribution") || ""
      }).addTo(map);
    } else {
      element.classList.add("map--grid-only");
    }
    var centre = (element.getAttribute("data-center") || "").split(",").map(parseFloat);
    if (centre.length === 2 && !isNaN(centre[0])) {
      map.setView(centre, 12);
    }
    return map;
  }

  function townColour(townId) {
    return TOWN_COLOURS[Math.abs(townId) % TOWN_COLOURS.length];
  }

  function gridLayer(geojson, faint) {
    return L.geoJSON(geojson, {
      interactive: false,
      style: function (feature) {
        var colour = townColour(feature.properties.town);
        return {
          color: colour,
          weight: 1,
          opacity: faint ? 0.5 : 0.8,
          fillColor: colour,
          fillOpacity: faint ? 0.05 : 0.12
        };
      }
    });
  }

  // --- Point in polygon (GeoJSON positions are [lng, lat]) ---------------------------------

  function inRing(lng, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  function inGeometry(lng, lat, geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.some(function (rings) {
      return (
        inRing(lng, lat, rings[0]) &&
        !rings.slice(1).some(function (hole) {
          return inRing(lng, lat, hole);
        })
      );
    });
  }

  function featureAt(geojson, lat, lng) {
    for (var i = 0; i < geojson.features.length; i++) {
      var feature = geojson.features[i];
      if (feature.geometry && inGeometry(lng, lat, feature.geometry)) {
        return feature;
      }
    }
    return null;
  }

  // --- The report form ---------------------------------------------------------------------

  function choose(select, value) {
    if (!select) {
      return;
    }
    select.value = String(value);
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function placePicker(element) {
    var form = element.closest("form");
    var lat = form.querySelector("input[name=latitude]");
    var lng = form.querySelector("input[name=longitude]");
    var town = form.querySelector("select[name=town]");
    var community = form.querySelector("select[name=community]");
    var cell = form.querySelector("select[name=grid_cell]");
    var status = document.getElementById("place-map-status");
    var chosenText = element.getAttribute("data-chosen") || "";
    var outsideText = element.getAttribute("data-outside") || "";
    var markerText = element.getAttribute("data-marker") || "";
    if (!lat || !lng) {
      return;
    }
    var map = baseMap(element);
    var geojson = null;
    var marker = null;
    var highlighted = null;
    var filledByMap = false;

    function say(text, isError) {
      if (status) {
        status.textContent = text;
        status.classList.toggle("place-map__status--error", Boolean(isError));
      }
    }

    function highlight(feature) {
      if (highlighted) {
        map.removeLayer(highlighted);
        highlighted = null;
      }
      if (feature) {
        highlighted = L.geoJSON(feature, {
          interactive: false,
          style: { color: "#c53030", weight: 3, fillColor: "#c53030", fillOpacity: 0.15 }
        }).addTo(map);
      }
    }

    function mark(latitude, longitude) {
      if (marker) {
        marker.setLatLng([latitude, longitude]);
        return;
      }
      marker = L.marker([latitude, longitude], {
        draggable: true,
        autoPan: true,
        title: markerText,
        alt: markerText
      }).addTo(map);
      marker.on("dragend", function () {
        var position = marker.getLatLng();
        pick(position.lat, position.lng);
      });
    }

    // Marks the point and fills the place; false (nothing filled) outside every cell.
    function pick(latitude, longitude) {
      if (!geojson) {
        return false;
      }
      var feature = featureAt(geojson, latitude, longitude);
      if (!feature) {
        // Not a silent wrong cell: nothing is filled in, and the resident is told why.
        lat.value = "";
        lng.value = "";
        if (marker) {
          map.removeLayer(marker);
          marker = null;
        }
        highlight(null);
        if (filledByMap) {
          // The place the map filled in before no longer holds: empty it too.
          choose(cell, "");
          choose(community, "");
          choose(town, "");
          filledByMap = false;
        }
        say(outsideText, true);
        return false;
      }
      var p = feature.properties;
      lat.value = latitude.toFixed(6);
      lng.value = longitude.toFixed(6);
      choose(town, p.town);
      choose(community, p.community);
      choose(cell, p.cell);
      filledByMap = true;
      mark(latitude, longitude);
      highlight(feature);
      say(chosenText + p.town_name + " · " + p.community_name + " · " + p.cell_name, false);
      return true;
    }

    map.on("click", function (event) {
      pick(event.latlng.lat, event.latlng.lng);
    });
    // "Use my location" (static/js/complaints-form.js) and typed coordinates arrive here.
    function fromFields() {
      var latitude = parseFloat(lat.value);
      var longitude = parseFloat(lng.value);
      // The map stays on the district when the point is outside it.
      if (!isNaN(latitude) && !isNaN(longitude) && pick(latitude, longitude)) {
        map.setView([latitude, longitude], Math.max(map.getZoom(), 15));
      }
    }
    lat.addEventListener("change", fromFields);
    lng.addEventListener("change", fromFields);

    getJSON(element.getAttribute("data-grid-url"))
      .then(function (data) {
        geojson = data;
        var layer = gridLayer(data, false).addTo(map);
        if (data.features.length) {
          map.fitBounds(layer.getBounds(), { padding: [8, 8] });
        }
        if (lat.value && lng.value) {
          fromFields();
        } else {
          say(element.getAttribute("data-hint") || "", false);
        }
      })
      .catch(function () {
        element.hidden = true;
      });
  }

  // --- The public list ---------------------------------------------------------------------

  function popupContent(item, element) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = item.place;
    box.appendChild(title);
    var list = document.createElement("ul");
    list.className = "map-popup__list";
    item.reports.forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = r.reference + " · " + r.category + " · " + r.state + " · " + r.received;
      list.appendChild(li);
    });
    box.appendChild(list);
    if (item.count > item.reports.length) {
      var more = document.createElement("p");
      more.textContent = (element.getAttribute("data-more") || "+{n}").replace(
        "{n}",
        String(item.count - item.reports.length)
      );
      box.appendChild(more);
    }
    return box;
  }

  function countIcon(count, cluster) {
    return L.divIcon({
      className: "map-count" + (cluster ? " map-count--cluster" : ""),
      html: "<span>" + String(count) + "</span>",
      iconSize: cluster ? [40, 40] : [32, 32]
    });
  }

  function reportsMap(element) {
    var map = baseMap(element);
    var markers = L.layerGroup().addTo(map);
    var cells = [];
    var countText = element.getAttribute("data-count") || "{n}";
    var clusterText = element.getAttribute("data-cluster") || "{n}";

    function redraw() {
      markers.clearLayers();
      var groups = {};
      cells.forEach(function (item) {
        var point = map.latLngToLayerPoint([item.lat, item.lng]);
        var key = Math.floor(point.x / CLUSTER_PX) + ":" + Math.floor(point.y / CLUSTER_PX);
        (groups[key] = groups[key] || []).push(item);
      });
      Object.keys(groups).forEach(function (key) {
        var group = groups[key];
        var total = group.reduce(function (sum, item) {
          return sum + item.count;
        }, 0);
        if (group.length === 1) {
          var item = group[0];
          var label = countText.replace("{n}", String(item.count)) + ": " + item.place;
          L.marker([item.lat, item.lng], { icon: countIcon(item.count, false), title: label, alt: label })
            .bindPopup(popupContent(item, element))
            .addTo(markers);
          return;
        }
        var bounds = L.latLngBounds(
          group.map(function (item) {
            return [item.lat, item.lng];
          })
        );
        var clusterLabel = clusterText.replace("{n}", String(total));
        L.marker(bounds.getCenter(), { icon: countIcon(total, true), title: clusterLabel, alt: clusterLabel })
          .on("click", function () {
            map.fitBounds(bounds.pad(0.5));
          })
          .addTo(markers);
      });
    }

    Promise.all([
      getJSON(element.getAttribute("data-grid-url")),
      getJSON(element.getAttribute("data-markers-url"))
    ])
      .then(function (results) {
        var grid = gridLayer(results[0], true).addTo(map);
        cells = results[1].cells;
        // The whole district, so a single marker keeps its surroundings; without a drawn grid,
        // the markers' own extent.
        if (results[0].features.length) {
          map.fitBounds(grid.getBounds(), { padding: [8, 8] });
        } else if (cells.length) {
          map.fitBounds(
            L.latLngBounds(
              cells.map(function (item) {
                return [item.lat, item.lng];
              })
            ),
            { padding: [24, 24], maxZoom: 14 }
          );
        }
        redraw();
        map.on("zoomend", redraw);
      })
      .catch(function () {
        element.hidden = true;
      });
  }

  var picker = document.getElementById("place-map");
  if (picker) {
    placePicker(picker);
  }
  var list = document.getElementById("reports-map");
  if (list) {
    reportsMap(list);
  }
})();
