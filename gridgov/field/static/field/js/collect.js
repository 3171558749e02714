/* 采集 screens: what the form can work out on the device.
 *
 * - A valid ID number (window.GridgovValidators.idNumber, basedata/js/validators.js) gives
 *   the sex and the birth date: they are filled in and locked; a number that is not valid
 *   (or none) leaves them for the worker. The server derives them again.
 * - "本人为户主" sets the relation to 户主; choosing a head clears it.
 */
(function () {
  "use strict";

  function derive(value) {
    var v = (value || "").trim().toUpperCase();
    var check = window.GridgovValidators && window.GridgovValidators.idNumber;
    if (!check || v.length !== 18 || check(v) !== "") return null;
    var birth = v.slice(6, 10) + "-" + v.slice(10, 12) + "-" + v.slice(12, 14);
    return {birth: birth, sex: parseInt(v.charAt(16), 10) % 2 === 1 ? "M" : "F"};
  }

  function wireIdNumber(form) {
    var input = form.querySelector("[data-id-number]");
    if (!input) return;
    var sex = form.querySelector('[data-derived="sex"]');
    var birth = form.querySelector('[data-derived="birth_date"]');
    var help = form.querySelector("[data-id-derived]");
    var helpText = help ? help.textContent : "";
    function update() {
      var got = derive(input.value);
      [sex, birth].forEach(function (el) {
        if (!el) return;
        el.classList.toggle("is-derived", !!got);
        if (el.tagName === "INPUT") el.readOnly = !!got;
        if (got) el.setAttribute("aria-readonly", "true");
        else el.removeAttribute("aria-readonly");
      });
      if (got) {
        if (sex) sex.value = got.sex;
        if (birth) birth.value = got.birth;
        if (help) help.textContent = (sex ? sex.options[sex.selectedIndex].text : "") +
          " · " + got.birth;
      } else if (help) {
        help.textContent = helpText;
      }
    }
    input.addEventListener("input", update);
    input.addEventListener("change", update);
    // A derived sex stays as derived (a select has no read-only state).
    if (sex) sex.addEventListener("change", function () { if (derive(input.value)) update(); });
    update();
  }

  function wireHeads(form) {
    var relation = form.querySelector("[data-relation]");
    if (!relation) return;
    var radios = form.querySelectorAll(".c-heads input[type=radio]");
    function update() {
      var none = form.querySelector(".c-heads input[data-head-none]");
      if (!none) return;
      if (none.checked) {
        relation.value = "head";
        relation.disabled = true;
      } else {
        relation.disabled = false;
        if (relation.value === "head") relation.value = "";
      }
    }
    Array.prototype.forEach.call(radios, function (r) { r.addEventListener("change", update); });
    // The relation is sent even while locked (a disabled select would be left out).
    form.addEventListener("submit", function () { relation.disabled = false; }, true);
    update();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form.m-form"), function (form) {
      wireIdNumber(form);
      wireHeads(form);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
