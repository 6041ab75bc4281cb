// The receipt's link and QR code carry the access code in the URL fragment (#code=...), which
// the browser never sends to the server: fill it into the tracking form, drop it from the
// address bar and history, and send the form.
(function () {
  "use strict";
  var match = /(?:^#|&)code=([^&]+)/.exec(window.location.hash);
  if (!match) return;
  var form = document.querySelector("form.track-form");
  var code = form && form.querySelector("[name=access_code]");
  var reference = form && form.querySelector("[name=reference]");
  if (!code) return;
  try {
    code.value = decodeURIComponent(match[1]);
  } catch (e) {
    return;
  }
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  if (reference && reference.value) {
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }
})();
