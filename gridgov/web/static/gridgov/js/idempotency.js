// Idempotent form posts (gridgov.core.idempotency): every POST form carries a hidden
// "idempotency_key", a uuid4 made when the page (or the fragment holding the form) loads.
// A double click or a browser re-post of the same form sends the same key, so the server
// answers with the first result instead of writing twice. An htmx post that got its answer
// takes a new key: the next post from that form is a new request.
(function () {
  "use strict";
  var FIELD = "idempotency_key";

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function isPostForm(form) {
    return form && form.tagName === "FORM" &&
      ((form.getAttribute("method") || "get").toLowerCase() === "post" ||
       form.hasAttribute("hx-post"));
  }

  function ensureKey(form, fresh) {
    if (!isPostForm(form)) { return; }
    var input = form.querySelector("input[name='" + FIELD + "']");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = FIELD;
      form.appendChild(input);
    }
    if (fresh || !input.value) { input.value = uuid4(); }
  }

  function addKeys(root) {
    if (isPostForm(root)) { ensureKey(root, false); }
    if (root.querySelectorAll) {
      root.querySelectorAll("form").forEach(function (form) { ensureKey(form, false); });
    }
  }

  addKeys(document);
  // A form that appeared after the page loaded still gets its key before it is sent.
  document.addEventListener("submit", function (event) { ensureKey(event.target, false); },
                            true);
  document.body.addEventListener("htmx:load", function (event) { addKeys(event.target); });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt && event.detail.elt.closest &&
      event.detail.elt.closest("form");
    if (form && event.detail.xhr && event.detail.xhr.status) { ensureKey(form, true); }
  });
})();
