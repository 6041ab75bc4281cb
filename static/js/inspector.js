/* The inspector's phone screen (templates/inspections/assignment.html).
 *
 * Progressive enhancement of plain forms: fills in the device's time and position, and keeps
 * each finding on the phone (localStorage) until the server acknowledges it. A finding carries a
 * client_uuid made here; the server stores it once, so resending after a dropped connection is
 * safe. No inline script, no eval (CSP).
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-inspector]");
  if (!root) {
    return;
  }
  // One queue per signed-in inspector: a shared phone never sends one's findings as another's.
  var KEY = "inspector-findings-v1:" + (root.dataset.user || "");
  var RETRY_MS = 15000;
  var MAX_SIDE = 1600;
  var position = null;
  var memoryPhotos = {}; // client_uuid -> Blob, when localStorage has no room for it
  var sending = false;
  var text = root.dataset;

  if (navigator.geolocation) {
    navigator.geolocation.watchPosition(
      function (found) {
        position = found.coords;
      },
      function () {
        position = null;
      },
      { enableHighAccuracy: true, maximumAge: 30000, timeout: 20000 }
    );
  }

  function newUuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function setField(form, name, value) {
    var input = form.querySelector('[name="' + name + '"]');
    if (input) {
      input.value = value;
    }
  }

  function fillDevice(form) {
    setField(form, "device_at", new Date().toISOString());
    if (position) {
      setField(form, "latitude", position.latitude.toFixed(6));
      setField(form, "longitude", position.longitude.toFixed(6));
    }
  }

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(KEY) || "[]");
    } catch (error) {
      return [];
    }
  }

  function store(queue) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(queue));
      return true;
    } catch (error) {
      return false;
    }
  }

  function status(message) {
    var box = root.querySelector("[data-status]");
    if (box) {
      box.textContent = message;
    }
  }

  function render() {
    var box = root.querySelector("[data-queue]");
    if (!box) {
      return;
    }
    var queue = load();
    var list = box.querySelector("[data-queue-list]");
    list.textContent = "";
    queue.forEach(function (entry) {
      var li = document.createElement("li");
      li.textContent = entry.label;
      list.appendChild(li);
    });
    box.querySelector("[data-queue-title]").textContent = text.textPending + " " + queue.length;
    box.hidden = queue.length === 0;
  }

  function shown(entry) {
    var list = root.querySelector("[data-findings]");
    if (!list || list.querySelector('[data-client-uuid="' + entry.uuid + '"]')) {
      return;
    }
    var li = document.createElement("li");
    li.className = "inspector-findings__item";
    li.dataset.clientUuid = entry.uuid;
    li.textContent = entry.label;
    list.appendChild(li);
    var empty = root.querySelector("[data-findings-empty]");
    if (empty) {
      empty.hidden = true;
    }
  }

  function dataUrlToBlob(url) {
    var parts = url.split(",");
    var binary = window.atob(parts[1]);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return new Blob([bytes], { type: "image/jpeg" });
  }

  /* A smaller JPEG of the photo, small enough to keep on the phone (the server re-encodes it
   * and strips its metadata anyway). Falls back to the file itself. */
  function shrink(file) {
    return new Promise(function (resolve) {
      if (!file || !window.URL || !document.createElement("canvas").getContext) {
        resolve(null);
        return;
      }
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(image.width, image.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(image.width * scale);
        canvas.height = Math.round(image.height * scale);
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        resolve(canvas.toDataURL("image/jpeg", 0.85));
      };
      image.onerror = function () {
        URL.revokeObjectURL(url);
        resolve(null);
      };
      image.src = url;
    });
  }

  function remove(uuid) {
    store(load().filter(function (entry) {
      return entry.uuid !== uuid;
    }));
    delete memoryPhotos[uuid];
    render();
  }

  function send(entry) {
    var body = new FormData();
    Object.keys(entry.fields).forEach(function (name) {
      body.append(name, entry.fields[name]);
    });
    var csrf = document.querySelector('[name="csrfmiddlewaretoken"]');
    body.append("csrfmiddlewaretoken", csrf ? csrf.value : "");
    var photo = entry.photo ? dataUrlToBlob(entry.photo) : memoryPhotos[entry.uuid];
    if (photo) {
      body.append("photo", photo, entry.uuid + ".jpg");
    }
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") !== -1;
      if (!json) {
        throw new Error("no acknowledgement"); // a sign-in page or an error page: keep it
      }
      return response.json().then(function (answer) {
        if (response.ok) {
          remove(entry.uuid);
          shown(entry);
          status(text.textSaved);
        } else if (response.status === 400 || response.status === 409) {
          // Refused for good (not a photo, inspection submitted ...): resending cannot help.
          remove(entry.uuid);
          var messages = [];
          Object.keys(answer.errors || {}).forEach(function (field) {
            answer.errors[field].forEach(function (error) {
              messages.push(error.message);
            });
          });
          status(text.textRefused + " " + entry.label + " — " + messages.join(" "));
        } else {
          throw new Error("status " + response.status);
        }
      });
    });
  }

  function flush() {
    if (sending) {
      return Promise.resolve();
    }
    var queue = load();
    if (!queue.length) {
      return Promise.resolve();
    }
    sending = true;
    status(text.textSending);
    var chain = Promise.resolve();
    queue.forEach(function (entry) {
      chain = chain.then(function () {
        return send(entry);
      });
    });
    return chain
      .catch(function () {
        status(text.textOffline);
      })
      .then(function () {
        sending = false;
        render();
      });
  }

  Array.prototype.forEach.call(root.querySelectorAll("[data-device-form]"), function (form) {
    form.addEventListener("submit", function () {
      fillDevice(form);
    });
  });

  var findingForm = root.querySelector("[data-finding-form]");
  if (findingForm && window.fetch && window.localStorage && window.Promise) {
    setField(findingForm, "client_uuid", newUuid());
    findingForm.addEventListener("submit", function (event) {
      event.preventDefault();
      fillDevice(findingForm);
      var data = new FormData(findingForm);
      var item = findingForm.querySelector('[name="item"]');
      var fields = {};
      ["client_uuid", "item", "occurrences", "note", "device_at", "latitude", "longitude"].forEach(
        function (name) {
          fields[name] = data.get(name) || "";
        }
      );
      var file = findingForm.querySelector('[name="photo"]');
      file = file && file.files.length ? file.files[0] : null;
      var label = (item && item.selectedIndex >= 0 ? item.options[item.selectedIndex].text : "") +
        " ×" + fields.occurrences;
      var entry = {
        uuid: fields.client_uuid,
        url: findingForm.action,
        fields: fields,
        photo: null,
        label: label
      };
      shrink(file).then(function (dataUrl) {
        var queue = load();
        queue.push(entry);
        if (dataUrl) {
          entry.photo = dataUrl;
        }
        if (!store(queue)) {
          // No room for the photo on the phone: keep it in memory while the page is open.
          entry.photo = null;
          if (file) {
            memoryPhotos[entry.uuid] = file;
          }
          store(queue);
        }
        findingForm.reset();
        setField(findingForm, "client_uuid", newUuid());
        render();
        flush();
      });
    });
  }

  var submitForm = root.querySelector("[data-submit-form]");
  if (submitForm) {
    submitForm.addEventListener("submit", function (event) {
      if (load().length) {
        event.preventDefault();
        status(text.textUnsent);
        flush();
      }
    });
  }

  window.addEventListener("online", flush);
  window.setInterval(function () {
    if (load().length) {
      flush();
    }
  }, RETRY_MS);
  render();
  flush();
})();
