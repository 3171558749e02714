/* The video patrol form (video/patrol.html): takes the frame the live page captured
   (live.js, sessionStorage) into the form's file field, so it is sent as an ordinary
   upload, and shows it; an image chosen by hand replaces it and is shown the same way. */
(function () {
  "use strict";

  var form = document.querySelector("[data-video-patrol]");
  if (!form) return;
  var input = form.querySelector("input[type=file][name=snapshot]");
  var preview = form.querySelector("[data-snapshot-preview]");
  var caption = form.querySelector("[data-snapshot-caption]");
  var key = "gg-video-snapshot:" + form.getAttribute("data-camera");

  function show(url, note) {
    if (!preview) return;
    preview.querySelector("img").src = url;
    if (caption) caption.textContent = note || "";
    preview.hidden = false;
  }

  function fromDataUrl(dataUrl) {
    var parts = dataUrl.split(",");
    var mime = (parts[0].match(/^data:([^;]+)/) || [])[1] || "image/jpeg";
    var bytes = window.atob(parts[1]);
    var buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) buffer[i] = bytes.charCodeAt(i);
    return new File([buffer], "snapshot.jpg", { type: mime });
  }

  // Kept until the next capture replaces it (a form refused for its description is shown
  // again with the frame still in it), but no frame older than MAX_AGE_MS is offered.
  var MAX_AGE_MS = 10 * 60 * 1000;
  var stored = null;
  try { stored = JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { stored = null; }
  if (stored && !(Date.now() - Date.parse(stored.at) < MAX_AGE_MS)) {
    stored = null;
    try { window.sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  }
  if (stored && stored.data && input && !(input.files && input.files.length)) {
    try {
      var transfer = new DataTransfer();
      transfer.items.add(fromDataUrl(stored.data));
      input.files = transfer.files;
      var at = new Date(stored.at);
      var template = caption ? caption.getAttribute("data-text-taken") : "";
      show(stored.data, template.replace("%(time)s", isNaN(at) ? "" : at.toLocaleTimeString()));
    } catch (e) { /* an old browser without DataTransfer: the person uploads a file */ }
  }

  if (input) {
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (file) show(URL.createObjectURL(file), file.name);
    });
  }
})();
