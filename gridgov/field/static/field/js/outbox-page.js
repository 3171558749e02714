/* 网格通 — the outbox page (/m/outbox/): every queued item with its status and the server's
   reasons; a rejected item opens a generic editor (its stored fields as inputs, the reasons
   beside them, photos kept) and is resent as a new request (new UUID; the old item is marked
   "replaced"); a conflict shows the server's current record and may be discarded. */
(function () {
  "use strict";
  var root = document.querySelector("[data-outbox-page]");
  var box = window.GridgovOutbox;
  if (!root || !box) return;
  var loginUrl = root.dataset.loginUrl;
  // The page's texts (field/_js_texts.html, #gg-field-texts, through gettext); the Chinese
  // text is the fallback, %(name)s placeholders are filled in from args.
  var TEXTS;
  function t(key, fallback, args) {
    if (TEXTS === undefined) {
      var node = document.getElementById("gg-field-texts");
      try { TEXTS = node ? JSON.parse(node.textContent) || {} : {}; } catch (e) { TEXTS = {}; }
    }
    return String(TEXTS[key] || fallback).replace(/%\((\w+)\)[sd]/g, function (m, name) {
      return args && name in args ? String(args[name]) : m;
    });
  }
  var STATUS = { pending: ["outboxPending", "待发送"], sending: ["outboxSending", "发送中"],
                 done: ["outboxDone", "已送达"], rejected: ["outboxRejected", "被退回"],
                 conflict: ["outboxConflict", "有冲突"], auth: ["outboxAuth", "等待登录"],
                 replaced: ["outboxReplaced", "已改正重发"] };
  function statusText(status) {
    return STATUS[status] ? t(STATUS[status][0], STATUS[status][1]) : status;
  }
  var list = root.querySelector("[data-outbox-list]");
  var empty = root.querySelector("[data-outbox-empty]");
  var summaryEl = root.querySelector("[data-outbox-summary]");
  var tpl = document.querySelector("template[data-outbox-editor-template]");
  var editing = null;  // the id whose editor is open: redraws leave it alone
  var urls = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function when(ms) {
    var d = new Date(ms);
    return (d.getMonth() + 1) + "/" + d.getDate() + " " + ("0" + d.getHours()).slice(-2) + ":" +
      ("0" + d.getMinutes()).slice(-2);
  }
  var BADGE = { pending: "m-badge--warn", sending: "m-badge--warn", auth: "m-badge--warn",
                rejected: "m-badge--danger", conflict: "m-badge--danger", done: "m-badge--ok",
                replaced: "" };

  function reasonsList(errors, labels) {
    var ul = el("ul", "m-outbox-reasons");
    Object.keys(errors || {}).forEach(function (field) {
      (errors[field] || []).forEach(function (msg) {
        var name = field === "__all__" || field === "non_field_errors" ? "" : ((labels || {})[field] || field) + ":";
        ul.appendChild(el("li", "", name + msg));
      });
    });
    return ul.children.length ? ul : null;
  }

  // The server's current record: the fields that say what changed first (number, state,
  // version, time), then the other plain fields folded away.
  var FIRST = ["number", "name", "state_label", "status_display", "state", "status", "version",
               "updated_at"];
  function currentView(response) {
    var current = response.current || response;
    var wrap = el("div", "m-outbox-current");
    var keys = Object.keys(current).filter(function (k) {
      var v = current[k];
      return k !== "errors" && (v === null || typeof v !== "object");
    });
    var first = FIRST.filter(function (k) { return keys.indexOf(k) >= 0; });
    var rest = keys.filter(function (k) { return first.indexOf(k) < 0; });
    var line = function (k) { return el("div", "", k + ": " + (current[k] === null ? "—" : current[k])); };
    first.forEach(function (k) { wrap.appendChild(line(k)); });
    if (rest.length) {
      var more = el("details");
      more.appendChild(el("summary", "", t("outboxMore", "其他字段")));
      rest.forEach(function (k) { more.appendChild(line(k)); });
      wrap.appendChild(more);
    }
    return wrap;
  }

  function button(text, cls, onclick) {
    var b = el("button", "m-btn " + (cls || ""), text);
    b.type = "button";
    b.addEventListener("click", onclick);
    return b;
  }

  function render(items) {
    urls.forEach(function (u) { URL.revokeObjectURL(u); });
    urls = [];
    var shown = items.slice().reverse();
    list.textContent = "";
    empty.hidden = shown.length > 0;
    list.hidden = shown.length === 0;
    shown.forEach(function (item) {
      var li = el("li", "m-outbox-item is-status-" + item.status);
      li.dataset.id = item.id;
      li.dataset.status = item.status;
      var head = el("div", "m-outbox-head");
      head.appendChild(el("span", "m-row-title", item.label));
      head.appendChild(el("span", "m-badge " + (BADGE[item.status] || ""), statusText(item.status)));
      li.appendChild(head);
      var meta = when(item.createdAt);
      var resp = item.response || {};
      if (item.status === "done" && (resp.number || resp.id)) {
        meta += " · " + t("outboxNumber", "编号") + " " + (resp.number || resp.id);
      }
      if (item.attempts > 1 && item.status !== "done") meta += " · " + t("outboxAttempts", "已尝试 %(n)s 次", { n: item.attempts });
      if (item.status === "pending" && item.nextAt > Date.now()) meta += " · " + t("outboxNext", "下次重试") + " " + when(item.nextAt);
      li.appendChild(el("p", "m-outbox-meta", meta));
      if (item.status === "rejected" || item.status === "conflict") {
        var r = reasonsList(item.errors, item.labels);
        if (r) li.appendChild(r);
      }
      if (item.status === "auth") li.appendChild(el("p", "m-error", t("outboxSignin", "登录已失效,请重新登录后自动发送。")));
      if (item.status === "conflict" && item.response) {
        li.appendChild(el("p", "m-outbox-meta", t("outboxCurrent", "服务器上的当前内容")));
        li.appendChild(currentView(item.response));
      }
      var actions = el("div", "m-outbox-actions");
      if (item.status === "rejected") {
        actions.appendChild(button(t("outboxDiscard", "放弃"), "", function () { discard(item); }));
        actions.appendChild(button(t("outboxEdit", "修改后重发"), "m-btn--primary", function () { openEditor(li, item); }));
      } else if (item.status === "conflict") {
        actions.appendChild(button(t("outboxDiscard", "放弃"), "m-btn--danger", function () { discard(item); }));
        if (item.doneUrl) {
          var a = el("a", "m-btn", t("outboxOpen", "打开页面"));
          a.href = item.doneUrl;
          actions.appendChild(a);
        }
      } else if (item.status === "auth") {
        var login = el("a", "m-btn m-btn--primary", t("outboxLogin", "重新登录"));
        login.href = loginUrl + "?next=/m/outbox/";
        actions.appendChild(login);
      }
      if (actions.children.length) li.appendChild(actions);
      list.appendChild(li);
    });
  }

  function drawSummary(s) {
    var parts = [];
    ["pending", "sending", "auth", "rejected", "conflict", "done"].forEach(function (k) {
      if (s[k]) parts.push(statusText(k) + " " + s[k]);
    });
    summaryEl.textContent = parts.join(" · ");
    summaryEl.hidden = !parts.length;
  }

  function discard(item) {
    if (!window.confirm(t("outboxDiscardConfirm", "放弃这条内容?放弃后无法恢复。"))) return;
    box.discard(item.id);
  }

  function openEditor(li, item) {
    if (editing) return;
    editing = item.id;
    var form = tpl.content.firstElementChild.cloneNode(true);
    var holder = form.querySelector("[data-editor-fields]");
    var errors = item.errors || {};
    var keptFiles = (item.files || []).map(function (f) { return { file: f, keep: true }; });
    var labels = item.labels || {}, hiddenNames = item.hidden || [];
    var more = el("details", "m-outbox-more");
    more.appendChild(el("summary", "", t("outboxMore", "其他字段")));
    Object.keys(item.fields || {}).forEach(function (name) {
      var values = Array.isArray(item.fields[name]) ? item.fields[name] : [item.fields[name]];
      values.forEach(function (value) {
        var field = el("div", "m-field" + (errors[name] ? " has-error" : ""));
        var id = "ed-" + name + "-" + Math.random().toString(36).slice(2, 7);
        var label = el("label", "", labels[name] || name);
        label.htmlFor = id;
        var long = String(value).length > 40 || /description|note|reason|content/.test(name);
        var input = el(long ? "textarea" : "input");
        if (!long) input.type = "text";
        input.id = id; input.name = name; input.value = value;
        field.appendChild(label); field.appendChild(input);
        (errors[name] || []).forEach(function (msg) { field.appendChild(el("p", "m-error", msg)); });
        // Fields the form kept hidden (position, versions) stay folded unless refused.
        (hiddenNames.indexOf(name) >= 0 && !errors[name] ? more : holder).appendChild(field);
      });
    });
    if (more.children.length > 1) holder.appendChild(more);
    if (errors.__all__ || errors.non_field_errors) {
      holder.insertBefore(reasonsList({ __all__: (errors.__all__ || []).concat(errors.non_field_errors || []) }), holder.firstChild);
    }
    keptFiles.forEach(function (k) {
      if (!k.file.blob) return;
      var row = el("label", "m-field m-outbox-photo m-check");
      var img = el("img");
      var u = URL.createObjectURL(k.file.blob);
      urls.push(u);
      img.src = u; img.alt = k.file.name;
      var cb = el("input");
      cb.type = "checkbox"; cb.checked = true;
      cb.addEventListener("change", function () { k.keep = cb.checked; });
      row.appendChild(cb); row.appendChild(img);
      row.appendChild(el("span", "", t("outboxKeep", "保留") + " " + t("outboxPhoto", "照片") + "(" + k.file.field + ")"));
      holder.appendChild(row);
    });
    form.querySelector("[data-editor-cancel]").addEventListener("click", function () {
      editing = null; form.remove(); refresh();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var fields = {};
      Array.prototype.forEach.call(holder.querySelectorAll("input[type=text], textarea"), function (i) {
        if (i.name in fields) {
          if (!Array.isArray(fields[i.name])) fields[i.name] = [fields[i.name]];
          fields[i.name].push(i.value);
        } else {
          fields[i.name] = i.value;
        }
      });
      var files = keptFiles.filter(function (k) { return k.keep && k.file.blob; })
        .map(function (k) { return { field: k.file.field, blob: k.file.blob, name: k.file.name }; });
      box.resend(item.id, fields, files).then(function () {
        editing = null;
        refresh();
      });
    });
    li.appendChild(form);
    var first = form.querySelector(".has-error input, .has-error textarea") || form.querySelector("input, textarea");
    if (first) first.focus();
  }

  function refresh() {
    box.list().then(function (items) {
      if (!editing) render(items);
      box.summary().then(drawSummary);
    });
  }

  box.onchange(function (s, items) {
    drawSummary(s);
    if (!editing && items) render(items);
  });
  root.querySelector("[data-outbox-flush]").addEventListener("click", function () { box.flush(); });
  root.querySelector("[data-outbox-clear]").addEventListener("click", function () { box.clearDone(); });
  refresh();
})();
