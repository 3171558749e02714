/* Client-side checks of the identifiers the basic data records, with the server's own
 * reasons (gridgov/basedata/validators.py), so a bad number is caught on the device first:
 *
 *   GridgovValidators.idNumber(v)  居民身份证号, GB 11643-1999 (ISO 7064 MOD 11-2)
 *   GridgovValidators.mobile(v)    mainland mobile number (+86 / 86 prefix allowed)
 *   GridgovValidators.uscc(v)      统一社会信用代码, GB 32100-2015 (MOD 31)
 *
 * Each returns "" when the value is valid (an empty value is valid: "required" is the
 * form's business) or the reason in the page's language: the texts come from the JSON script
 * tag #gg-validator-texts (basedata/_js_texts.html, the server's msgids through gettext),
 * the Chinese ones below being the fallback. Inputs with data-validate="id_number",
 * "mobile" or "uscc" are checked on input and on submit; a failing one blocks the submit and
 * shows its reason in the field's .m-error (mobile pages) or .gg-field-error / .gg-error
 * (desktop pages), creating that element when the field has none.
 */
(function () {
  "use strict";

  var ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var ID_CHECK = "10X98765432";
  var USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  var USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

  // The page's texts (basedata/_js_texts.html); placeholders as the server's: %(n)d, %(c)s.
  var TEXTS = null;
  function t(key, fallback, args) {
    if (TEXTS === null) {
      TEXTS = {};
      var el = document.getElementById("gg-validator-texts");
      if (el) { try { TEXTS = JSON.parse(el.textContent) || {}; } catch (e) { TEXTS = {}; } }
    }
    var text = TEXTS[key] || fallback;
    return text.replace(/%\((\w+)\)[sd]/g, function (m, name) {
      return args && name in args ? String(args[name]) : m;
    });
  }

  function squeeze(v) {
    return String(v == null ? "" : v).trim().replace(/ /g, "");
  }

  function idCheck(number) {
    var total = 0;
    for (var i = 0; i < 17; i++) { total += Number(number.charAt(i)) * ID_WEIGHTS[i]; }
    return ID_CHECK.charAt(total % 11);
  }

  function validBirth(number) {
    var y = Number(number.substr(6, 4));
    var m = Number(number.substr(10, 2));
    var d = Number(number.substr(12, 2));
    var date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
      return false;
    }
    var now = new Date();
    var today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
    return y >= 1890 && date.getTime() <= today;
  }

  function idNumber(value) {
    var number = squeeze(value).toUpperCase();
    if (!number) { return ""; }
    if (number.length !== 18) {
      return t("idLength", "身份证号应为18位,实际为%(n)d位。", { n: number.length });
    }
    if (!/^[0-9]{17}[0-9X]$/.test(number)) {
      return t("idFormat", "身份证号前17位应为数字,末位为数字或X。");
    }
    var expected = idCheck(number);
    if (number.charAt(17) !== expected) {
      return t("idChecksum", "身份证号校验位错误:末位应为 %(c)s(GB 11643)。", { c: expected });
    }
    // The region code is six digits (checked above, as the server does: a resident keeps
    // the code of a county renamed or merged since); the birth date must be a real day.
    if (!validBirth(number)) {
      return t("idBirth", "身份证号中的出生日期无效。");
    }
    return "";
  }

  function mobile(value) {
    var phone = String(value == null ? "" : value).replace(/[\s-]/g, "");
    if (!phone) { return ""; }
    if (phone.indexOf("+86") === 0) {
      phone = phone.slice(3);
    } else if (phone.indexOf("86") === 0 && phone.length === 13) {
      phone = phone.slice(2);
    }
    return /^1[3-9][0-9]{9}$/.test(phone) ? "" : t("mobile", "手机号应为以1开头的11位号码。");
  }

  function usccCheck(code) {
    var total = 0;
    for (var i = 0; i < 17; i++) { total += USCC_ALPHABET.indexOf(code.charAt(i)) * USCC_WEIGHTS[i]; }
    return USCC_ALPHABET.charAt((31 - (total % 31)) % 31);
  }

  function uscc(value) {
    var code = squeeze(value).toUpperCase();
    if (!code) { return ""; }
    if (code.length !== 18) {
      return t("usccLength", "统一社会信用代码应为18位,实际为%(n)d位。", { n: code.length });
    }
    // GB 32100 as the server reads it (python-stdnum): the registration authority, its kind
    // and the 6-digit area code are digits; the organisation code and the check character
    // are of the 31-character alphabet (no I, O, S, V, Z).
    if (!/^[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) {
      return t("usccFormat", "统一社会信用代码格式不正确(GB 32100)。");
    }
    var expected = usccCheck(code);
    if (code.charAt(17) !== expected) {
      return t("usccChecksum", "统一社会信用代码校验位错误:末位应为 %(c)s(GB 32100)。", { c: expected });
    }
    return "";
  }

  var CHECKS = { id_number: idNumber, mobile: mobile, uscc: uscc };

  function errorBox(input) {
    var field = input.closest(".m-field, .gg-field, p, div") || input.parentNode;
    var box = field.querySelector(".m-error, .gg-field-error, .gg-error");
    if (!box) {
      box = document.createElement("p");
      box.className = input.closest(".m-field") ? "m-error" : "gg-field-error gg-error";
      box.setAttribute("data-validator-error", "");
      box.id = (input.id || input.name || "field") + "-validator-error";
      input.insertAdjacentElement("afterend", box);
    }
    return box;
  }

  function check(input) {
    var fn = CHECKS[input.getAttribute("data-validate")];
    if (!fn) { return true; }
    var reason = fn(input.value);
    var box = errorBox(input);
    // The reason the server gave (drawn with the page) stands until the field is checked
    // again, that is until the worker edits it or submits.
    box.textContent = reason;
    box.hidden = !reason;
    input.setCustomValidity(reason);
    if (reason) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", box.id || "");
    } else {
      input.removeAttribute("aria-invalid");
    }
    var wrap = input.closest(".m-field, .gg-field");
    if (wrap) { wrap.classList.toggle(wrap.classList.contains("m-field") ? "is-invalid" : "has-error", !!reason); }
    return !reason;
  }

  function wire(root) {
    (root || document).addEventListener("input", function (e) {
      if (e.target.matches && e.target.matches("[data-validate]")) { check(e.target); }
    });
    (root || document).addEventListener("submit", function (e) {
      var inputs = e.target.querySelectorAll ? e.target.querySelectorAll("[data-validate]") : [];
      var first = null;
      for (var i = 0; i < inputs.length; i++) {
        if (!check(inputs[i]) && !first) { first = inputs[i]; }
      }
      if (first) {
        e.preventDefault();
        e.stopImmediatePropagation();
        first.focus();
      }
    }, true);
  }

  window.GridgovValidators = { idNumber: idNumber, mobile: mobile, uscc: uscc, check: check };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wire(document); });
  } else {
    wire(document);
  }
})();
