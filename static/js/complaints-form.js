/* Enhances the complaint form; everything here is optional: the form works without it. */
(function () {
  "use strict";
  var form = document.querySelector(".report-form");
  if (!form) {
    return;
  }

  // Show only the chosen category's hint and extra questions.
  var category = form.querySelector("select[name=category]");
  function showCategory() {
    var chosen = category ? category.value : "";
    form.querySelectorAll(".questions[data-category], .category-hint[data-category]").forEach(function (el) {
      el.hidden = el.getAttribute("data-category") !== chosen;
    });
  }
  if (category) {
    category.addEventListener("change", showCategory);
    showCategory();
  }

  // The channel choice only matters when both a phone and an e-mail address are given.
  var channel = form.querySelector("[data-preferred-channel]");
  var phone = form.querySelector("input[name=contact_phone]");
  var email = form.querySelector("input[name=contact_email]");
  function showChannel() {
    channel.hidden = !(phone.value.trim() && email.value.trim());
  }
  if (channel && phone && email) {
    phone.addEventListener("input", showChannel);
    email.addEventListener("input", showChannel);
    showChannel();
  }

  // Narrow communities to the chosen town, and cells to the chosen community (by optgroup).
  function narrow(parentSelect, childSelect) {
    if (!parentSelect || !childSelect) {
      return;
    }
    function apply() {
      var label = parentSelect.selectedIndex > 0 ? parentSelect.options[parentSelect.selectedIndex].text : "";
      childSelect.querySelectorAll("optgroup").forEach(function (group) {
        var match = !label || group.label === label;
        group.hidden = !match;
        group.disabled = !match;
      });
      var selected = childSelect.options[childSelect.selectedIndex];
      if (selected && selected.parentNode.disabled) {
        childSelect.value = "";
      }
    }
    parentSelect.addEventListener("change", apply);
    apply();
  }
  var town = form.querySelector("select[name=town]");
  var community = form.querySelector("select[name=community]");
  var cell = form.querySelector("select[name=grid_cell]");
  narrow(town, community);
  narrow(community, cell);

  var lat = form.querySelector("input[name=latitude]");
  var lng = form.querySelector("input[name=longitude]");
  var details = form.querySelector("details.coordinates");

  // The map (static/js/report-map.js) listens for this change and marks the point.
  function setPoint(latitude, longitude) {
    lat.value = latitude.toFixed(6);
    lng.value = longitude.toFixed(6);
    if (details) {
      details.open = true;
    }
    lng.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // "Use my location" (WGS84 from the browser; the server finds the grid cell).
  var locate = form.querySelector(".locate__button");
  var status = form.querySelector(".locate__status");
  if (locate && lat && lng && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = form.getAttribute("data-geolocation-text");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          setPoint(position.coords.latitude, position.coords.longitude);
          // Empty when the map found the point outside the district (it says so itself).
          status.textContent = lat.value ? "✓ " + lat.value + ", " + lng.value : "";
        },
        function () {
          status.textContent = form.getAttribute("data-geolocation-failed");
        },
        { enableHighAccuracy: true, timeout: 15000 }
      );
    });
  }
})();
