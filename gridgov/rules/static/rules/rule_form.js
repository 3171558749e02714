// The rule editor: offer only the operators that suit the chosen fact's type (the server
// checks again; without this script every operator is listed and a wrong one is refused).
(function () {
  "use strict";
  var data = document.getElementById("rule-fact-types");
  if (!data) { return; }
  var table = JSON.parse(data.textContent);
  function refresh(row) {
    var fact = row.querySelector("[data-rule-fact]");
    var op = row.querySelector("[data-rule-op]");
    if (!fact || !op) { return; }
    var allowed = table.operators[table.facts[fact.value]] || null;
    var firstAllowed = null;
    Array.prototype.forEach.call(op.options, function (option) {
      var ok = !allowed || allowed.indexOf(option.value) !== -1;
      option.hidden = !ok;
      option.disabled = !ok;
      if (ok && firstAllowed === null) { firstAllowed = option.value; }
    });
    if (allowed && allowed.indexOf(op.value) === -1 && firstAllowed !== null) {
      op.value = firstAllowed;
    }
  }
  document.querySelectorAll("[data-rule-condition]").forEach(function (row) {
    refresh(row);
    var fact = row.querySelector("[data-rule-fact]");
    if (fact) { fact.addEventListener("change", function () { refresh(row); }); }
  });
})();
