/* 案件查询: submit only the conditions that are set, so the address stays short enough to
 * read, share and save (the server treats a missing and an empty condition alike). */
(function () {
  "use strict";
  var form = document.getElementById("gg-search-form");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && !field.disabled && field.type !== "checkbox" && field.value === "") {
        field.disabled = true;
      }
    });
    // Re-enable after the browser has read the form (back button shows it filled).
    setTimeout(function () {
      Array.prototype.forEach.call(form.elements, function (field) { field.disabled = false; });
    }, 0);
  });
}());
