/* Pickers: turn the plain selects marked data-picker into trees with a search box.
 *
 * Without this script the selects work as they are (the form still submits codes). With it:
 * - data-picker="category" (with data-major-field naming the major-class select): one tree
 *   of major classes and their minor classes, built from the selects' own options; picking a
 *   major class sets `major` and clears `category`, picking a minor class the reverse.
 * - data-picker="area" (data-tree-url): a tree of the areas the person sees, loaded one
 *   level at a time from the server (GET ?parent=<code>, ?q=<name>), so grids are reachable
 *   even when the plain select leaves them out.
 * The selects stay in the form (hidden), so what is submitted is exactly what the select
 * holds. Labels come from #gg-picker-text (translated by the server).
 */
(function () {
  "use strict";

  var T = {};

  function t(key, fallback) { return T[key] || fallback || key; }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "className") { node.className = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function fieldOf(select) { return select.closest(".gg-field") || select.parentNode; }

  /* The shared frame: a button showing the choice and a panel with search, tree, actions. */
  function frame(select, onSearch, onClear) {
    var wrap = el("div", { className: "gg-picker" });
    var button = el("button", { type: "button", className: "gg-input gg-picker-button",
                                "aria-expanded": "false" });
    var panel = el("div", { className: "gg-picker-panel", hidden: "" });
    var search = el("input", { type: "search", className: "gg-input gg-picker-search",
                               placeholder: t("search"), "aria-label": t("search") });
    var tree = el("ul", { className: "gg-picker-tree", role: "tree" });
    var actions = el("div", { className: "gg-picker-actions" });
    var clear = el("button", { type: "button", className: "gg-btn gg-btn-ghost gg-btn-sm" },
                   t("clear"));
    var close = el("button", { type: "button", className: "gg-btn gg-btn-sm" }, t("close"));
    actions.appendChild(clear);
    actions.appendChild(close);
    panel.appendChild(search);
    panel.appendChild(tree);
    panel.appendChild(actions);
    wrap.appendChild(button);
    wrap.appendChild(panel);
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.parentNode.insertBefore(wrap, select.nextSibling);
    var label = fieldOf(select).querySelector("label");
    if (label && select.id) {
      button.id = select.id + "-picker";
      label.setAttribute("for", button.id);
    }

    function open(show) {
      panel.hidden = !show;
      button.setAttribute("aria-expanded", show ? "true" : "false");
      if (show) { search.focus(); }
    }
    button.addEventListener("click", function () { open(panel.hidden); });
    close.addEventListener("click", function () { open(false); button.focus(); });
    clear.addEventListener("click", function () { onClear(); open(false); button.focus(); });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { open(false); button.focus(); }
      if (event.key === "Enter" && event.target === search) { event.preventDefault(); }
    });
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { onSearch(search.value.trim()); }, 200);
    });
    return { button: button, tree: tree, open: open, search: search };
  }

  function setLabel(button, text, isAll) {
    button.textContent = text;
    button.classList.toggle("is-empty", !!isAll);
  }

  function choose(select, value, name) {
    if (value && !Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
      select.appendChild(el("option", { value: value }, name));
    }
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function toggleNode(li, toggle, expand) {
    var open = expand === undefined ? li.getAttribute("aria-expanded") !== "true" : expand;
    li.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.textContent = open ? "▾" : "▸";
    var sub = li.querySelector(":scope > ul");
    if (sub) { sub.hidden = !open; }
    return open;
  }

  /* --- category: majors and minors from the selects' options ---------------------------- */

  function categoryPicker(select) {
    var form = select.form;
    var majorSelect = form && form.elements[select.dataset.majorField || "major"];
    var groups = [];
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      var majorCode = "";
      if (majorSelect) {
        Array.prototype.forEach.call(majorSelect.options, function (o) {
          if (o.text === group.label) { majorCode = o.value; }
        });
      }
      groups.push({ code: majorCode, name: group.label, minors: Array.prototype.map.call(
        group.querySelectorAll("option"), function (o) { return { code: o.value, name: o.text }; }) });
    });
    var ui = frame(select, draw, function () {
      if (majorSelect) { majorSelect.value = ""; }
      choose(select, "", "");
      update();
    });
    if (majorSelect) { fieldOf(majorSelect).style.display = "none"; }
    var label = fieldOf(select).querySelector("label");
    if (label) { label.textContent = t("category"); }

    function update() {
      var minor = select.value, major = majorSelect ? majorSelect.value : "";
      if (minor) {
        var g = groups.filter(function (x) { return x.minors.some(function (m) { return m.code === minor; }); })[0];
        var m = g ? g.minors.filter(function (x) { return x.code === minor; })[0] : null;
        setLabel(ui.button, m ? g.name + " / " + m.name : minor);
      } else if (major) {
        var mg = groups.filter(function (x) { return x.code === major; })[0];
        setLabel(ui.button, (mg ? mg.name : major) + "(" + t("major") + ")");
      } else {
        setLabel(ui.button, t("all"), true);
      }
    }

    function draw(query) {
      ui.tree.textContent = "";
      var shown = 0;
      groups.forEach(function (g) {
        var hitMajor = !query || g.name.indexOf(query) >= 0;
        var minors = g.minors.filter(function (m) {
          return hitMajor || m.name.indexOf(query) >= 0 || m.code === query;
        });
        if (!minors.length && !hitMajor) { return; }
        shown += 1;
        var li = el("li", { role: "treeitem", "aria-expanded": query ? "true" : "false" });
        var row = el("div", { className: "gg-picker-row" });
        var toggle = el("button", { type: "button", className: "gg-picker-toggle",
                                    "aria-label": t("expand") + " " + g.name }, query ? "▾" : "▸");
        var pick = el("button", { type: "button", className: "gg-picker-pick gg-picker-major",
                                  "data-code": g.code }, g.name);
        row.appendChild(toggle);
        row.appendChild(pick);
        li.appendChild(row);
        var sub = el("ul", { role: "group" });
        sub.hidden = !query;
        minors.forEach(function (m) {
          var item = el("li", { role: "treeitem" });
          var b = el("button", { type: "button", className: "gg-picker-pick",
                                 "data-code": m.code }, m.name);
          b.addEventListener("click", function () {
            if (majorSelect) { majorSelect.value = ""; }
            choose(select, m.code, m.name);
            update();
            ui.open(false);
            ui.button.focus();
          });
          item.appendChild(b);
          sub.appendChild(item);
        });
        li.appendChild(sub);
        toggle.addEventListener("click", function () { toggleNode(li, toggle); });
        pick.addEventListener("click", function () {
          if (!majorSelect || !g.code) { toggleNode(li, toggle); return; }
          choose(majorSelect, g.code, g.name);
          choose(select, "", "");
          update();
          ui.open(false);
          ui.button.focus();
        });
        ui.tree.appendChild(li);
      });
      if (!shown) { ui.tree.appendChild(el("li", { className: "gg-muted" }, t("empty"))); }
    }

    draw("");
    update();
  }

  /* --- area: a lazy tree from the server, limited to the person's scope ------------------- */

  function areaPicker(select) {
    var url = select.dataset.treeUrl;
    if (!url || !window.fetch) { return; }
    var ui = frame(select, function (query) { query ? search(query) : load("", ui.tree); },
                   function () { choose(select, "", ""); update(); });

    function update() {
      var option = select.options[select.selectedIndex];
      if (select.value && option) {
        setLabel(ui.button, option.text.trim());
      } else {
        setLabel(ui.button, t("all"), true);
      }
    }

    function get(params) {
      return fetch(url + "?" + new URLSearchParams(params).toString(), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      });
    }

    function pickButton(node, label) {
      var b = el("button", { type: "button", className: "gg-picker-pick",
                             "data-code": node.code }, label || node.name);
      b.addEventListener("click", function () {
        choose(select, node.code, node.name);
        update();
        ui.open(false);
        ui.button.focus();
      });
      return b;
    }

    function item(node) {
      var li = el("li", { role: "treeitem" });
      var row = el("div", { className: "gg-picker-row" });
      if (!node.leaf) {
        li.setAttribute("aria-expanded", "false");
        var toggle = el("button", { type: "button", className: "gg-picker-toggle",
                                    "aria-label": t("expand") + " " + node.name }, "▸");
        var sub = el("ul", { role: "group" });
        sub.hidden = true;
        toggle.addEventListener("click", function () {
          if (toggleNode(li, toggle) && !sub.dataset.loaded) {
            sub.dataset.loaded = "1";
            load(node.code, sub);
          }
        });
        row.appendChild(toggle);
        row.appendChild(pickButton(node));
        li.appendChild(row);
        li.appendChild(sub);
      } else {
        row.appendChild(el("span", { className: "gg-picker-toggle", "aria-hidden": "true" }, ""));
        row.appendChild(pickButton(node));
        li.appendChild(row);
      }
      return li;
    }

    function fill(list, nodes, render) {
      list.textContent = "";
      if (!nodes.length) { list.appendChild(el("li", { className: "gg-muted" }, t("empty"))); }
      nodes.forEach(function (n) { list.appendChild(render(n)); });
    }

    function load(parent, list) {
      list.textContent = "";
      list.appendChild(el("li", { className: "gg-muted" }, t("loading")));
      get(parent ? { parent: parent } : {}).then(function (data) {
        fill(list, data.results, item);
      }).catch(function () {
        fill(list, [], item);
        list.firstChild.textContent = t("failed");
      });
    }

    function search(query) {
      get({ q: query }).then(function (data) {
        fill(ui.tree, data.results, function (node) {
          var li = el("li", { role: "treeitem" });
          var row = el("div", { className: "gg-picker-row" });
          row.appendChild(pickButton(node));
          if (node.path) { row.appendChild(el("span", { className: "gg-small gg-muted" }, node.path)); }
          li.appendChild(row);
          return li;
        });
      }).catch(function () { fill(ui.tree, [], item); });
    }

    load("", ui.tree);
    update();
  }

  function init() {
    var source = document.getElementById("gg-picker-text");
    T = source ? source.dataset : {};
    document.querySelectorAll('select[data-picker="category"]').forEach(categoryPicker);
    document.querySelectorAll('select[data-picker="area"]').forEach(areaPicker);
  }

  window.GridGovPickers = { init: init };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
