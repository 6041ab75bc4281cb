// The photo picker: a labelled button in the page's language instead of the browser's own
// "Choose Files", thumbnails of the chosen photos, and a remove button for each.
//
// Progressive: the server renders the native <input type="file" multiple>, which works alone.
// This script hides it visually (it stays focusable and keeps its label and errors), adds a
// <label> styled as a button and keeps the chosen files in the input through DataTransfer, so
// the form posts exactly the photos shown. Browsers without DataTransfer keep the native input.
(function () {
  "use strict";

  function supported() {
    try {
      return typeof DataTransfer === "function" && !!new DataTransfer().items;
    } catch (e) {
      return false;
    }
  }

  function sameFile(a, b) {
    return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
  }

  function enhance(picker) {
    var input = picker.querySelector("input[type=file]");
    if (!input || !input.id) return;
    var max = parseInt(picker.getAttribute("data-max"), 10) || 0;
    var text = picker.dataset;
    var files = Array.prototype.slice.call(input.files || []);
    var urls = [];

    var button = document.createElement("label");
    button.className = "button button--secondary photo-picker__button";
    button.htmlFor = input.id;
    var status = document.createElement("p");
    status.className = "photo-picker__status";
    status.setAttribute("aria-live", "polite");
    var list = document.createElement("ul");
    list.className = "photo-picker__list";
    list.setAttribute("role", "list");
    input.insertAdjacentElement("afterend", list);
    input.insertAdjacentElement("afterend", status);
    input.insertAdjacentElement("afterend", button);
    picker.classList.add("photo-picker--enhanced");

    function sync() {
      var transfer = new DataTransfer();
      files.forEach(function (file) {
        transfer.items.add(file);
      });
      input.files = transfer.files;
    }

    function render() {
      urls.forEach(function (url) {
        URL.revokeObjectURL(url);
      });
      urls = [];
      list.textContent = "";
      files.forEach(function (file, index) {
        var item = document.createElement("li");
        item.className = "photo-picker__item";
        var image = document.createElement("img");
        var url = URL.createObjectURL(file);
        urls.push(url);
        image.src = url;
        image.alt = file.name;
        image.className = "photo-picker__thumb";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "photo-picker__remove";
        remove.textContent = text.labelRemove;
        remove.setAttribute("aria-label", text.labelRemove + " " + file.name);
        remove.addEventListener("click", function () {
          files.splice(index, 1);
          sync();
          render();
          button.focus();
        });
        item.appendChild(image);
        item.appendChild(remove);
        list.appendChild(item);
      });
      button.textContent = files.length ? text.labelAdd : text.labelChoose;
      button.hidden = max > 0 && files.length >= max;
      status.textContent = files.length
        ? text.labelCount.replace("{n}", String(files.length))
        : text.labelNone;
    }

    input.addEventListener("change", function () {
      var chosen = Array.prototype.slice.call(input.files || []);
      chosen.forEach(function (file) {
        if (!files.some(function (kept) { return sameFile(kept, file); })) files.push(file);
      });
      var dropped = max > 0 && files.length > max;
      if (dropped) files = files.slice(0, max);
      sync();
      render();
      if (dropped) status.textContent += " " + text.labelTooMany;
    });
    // The input lost its own label text: focus shows on the button label instead.
    input.addEventListener("focus", function () {
      button.classList.add("photo-picker__button--focus");
    });
    input.addEventListener("blur", function () {
      button.classList.remove("photo-picker__button--focus");
    });
    render();
  }

  if (!supported()) return;
  Array.prototype.forEach.call(document.querySelectorAll("[data-photo-picker]"), enhance);
})();
