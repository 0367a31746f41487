// Optional filters for the action register (/actions/): one <select> per dimension, built
// from the page's static filter links, that hides the rows (and then the empty status groups)
// not matching. Without JavaScript the links to the per-value pages do the same job.
// A classic script (not a module) so it also runs from file://. No dependencies.
(function () {
  "use strict";
  function init() {
    var nav = document.querySelector("[data-actions-filters]");
    if (!nav) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-status]"));
    var groups = Array.prototype.slice.call(document.querySelectorAll("[data-action-group]"));
    var box = document.createElement("div");
    box.className = "action-selects";
    box.setAttribute("data-testid", "action-selects");
    var selects = [];
    nav.querySelectorAll("[data-filter-key]").forEach(function (details) {
      var key = details.getAttribute("data-filter-key");
      var label = document.createElement("label");
      label.textContent = details.querySelector("summary").textContent;
      var select = document.createElement("select");
      select.setAttribute("data-key", key);
      var any = document.createElement("option");
      any.value = "";
      any.textContent = "Any";
      select.appendChild(any);
      details.querySelectorAll("a[data-value]").forEach(function (a) {
        var o = document.createElement("option");
        o.value = a.getAttribute("data-value");
        o.textContent = a.textContent;
        select.appendChild(o);
      });
      select.addEventListener("change", apply);
      label.appendChild(select);
      box.appendChild(label);
      selects.push(select);
    });
    nav.insertBefore(box, nav.querySelector("details"));
    function apply() {
      rows.forEach(function (row) {
        var show = selects.every(function (s) {
          if (!s.value) return true;
          var have = (row.getAttribute("data-" + s.getAttribute("data-key")) || "").split(" ");
          return have.indexOf(s.value) >= 0;
        });
        if (show) row.removeAttribute("data-filtered-out");
        else row.setAttribute("data-filtered-out", "");
      });
      groups.forEach(function (g) {
        var visible = g.querySelector("tr[data-status]:not([data-filtered-out])");
        if (visible) g.removeAttribute("data-filtered-out");
        else g.setAttribute("data-filtered-out", "");
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
