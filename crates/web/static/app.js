// Homeward's only script: it enhances pages that work fully without it.
(function () {
  "use strict";

  // Move focus to the error summary, so that screen reader users hear it first.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }

  // Long pickers (countries, languages) get a box that filters their options as you type.
  var pickers = document.querySelectorAll("select.js-searchable");
  Array.prototype.forEach.call(pickers, function (select) {
    // Its label comes from the page, in the page's language ("Filter countries").
    var label = document.createElement("label");
    label.className = "hint picker-filter__label";
    label.htmlFor = select.id + "-filter";
    label.textContent = select.getAttribute("data-filter-label") || "";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "input picker-filter";
    input.id = select.id + "-filter";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
      var first = null;
      Array.prototype.forEach.call(select.options, function (o) {
        var text = o.text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
        var show = !q || o.value === "" || text.indexOf(q) !== -1 || o.value.toLowerCase() === q;
        o.hidden = !show;
        if (show && !first && o.value !== "") { first = o; }
      });
      if (q && first) { select.value = first.value; }
    });
  });

  // Print links print.
  Array.prototype.forEach.call(document.querySelectorAll(".js-print"), function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); window.print(); });
  });
})();
