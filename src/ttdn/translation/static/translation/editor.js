/* The segmented editor: keyboard moves and taking a memory suggestion. No inline script (the CSP); htmx
   saves each segment when its text changes. */
(function () {
  "use strict";

  function inputs() { return Array.prototype.slice.call(document.querySelectorAll("[data-segment-input]")); }

  function move(from, step) {
    var all = inputs();
    var next = all[all.indexOf(from) + step];
    if (next) { next.focus(); }
    return next;
  }

  function fill(row, button) {
    var area = row.querySelector("[data-segment-input]");
    var origin = row.querySelector("[data-origin]");
    if (!area) { return; }
    area.value = button.getAttribute("data-fill");
    if (origin) { origin.value = button.getAttribute("data-origin-value") || "memory"; }
    area.dispatchEvent(new Event("change", { bubbles: true }));
    area.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-fill]") : null;
    if (!button) { return; }
    fill(button.closest("tr"), button);
  });

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (area.matches && area.matches("[data-segment-input]")) {
      var origin = area.closest("form").querySelector("[data-origin]");
      if (origin) { origin.value = "typed"; }
    }
  });

  document.addEventListener("keydown", function (event) {
    var area = event.target;
    if (!area.matches || !area.matches("[data-segment-input]")) { return; }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      var position = area.closest("tr").getAttribute("data-position");
      area.dispatchEvent(new Event("change", { bubbles: true }));
      var next = move(area, 1);
      if (!next) { area.blur(); }
      document.body.setAttribute("data-last-saved", position);
    } else if (event.altKey && event.key === "ArrowDown") {
      event.preventDefault(); move(area, 1);
    } else if (event.altKey && event.key === "ArrowUp") {
      event.preventDefault(); move(area, -1);
    } else if (event.altKey && event.key === "1") {
      var first = area.closest("tr").querySelector("[data-fill]");
      if (first) { event.preventDefault(); fill(area.closest("tr"), first); }
    }
  });
})();
