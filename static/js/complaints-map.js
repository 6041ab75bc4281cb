/* Draws the public report list on a Leaflet map (only rendered when tiles are configured). */
(function () {
  "use strict";
  var element = document.getElementById("reports-map");
  var data = document.getElementById("report-markers");
  if (!element || !data || !window.L) {
    return;
  }
  var markers = JSON.parse(data.textContent);
  var map = window.L.map(element).setView(
    [parseFloat(element.getAttribute("data-lat")), parseFloat(element.getAttribute("data-lng"))],
    12
  );
  window.L.tileLayer(element.getAttribute("data-tiles"), {
    maxZoom: 19,
    attribution: element.getAttribute("data-attribution") || ""
  }).addTo(map);
  var bounds = [];
  markers.forEach(function (m) {
    window.L.circleMarker([m.lat, m.lng], { radius: 8 }).addTo(map).bindPopup(document.createTextNode(m.title));
    bounds.push([m.lat, m.lng]);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] });
  }
})();
