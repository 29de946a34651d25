// Behaviour that must not live inline (the Content-Security-Policy forbids inline script).
(function () {
  "use strict";
  // Elements marked data-autosubmit submit their form when changed (language switch, filters).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-autosubmit]") && target.form) {
      if (target.form.requestSubmit) { target.form.requestSubmit(); } else { target.form.submit(); }
    }
  });
  // After an htmx swap of a results region, tell screen readers how many results there are now.
  // With an outerHTML swap the event's target is the replaced element: look the new one up by id.
  // A news element that takes the focus itself (autofocus) is read out by taking it: writing it to the
  // live region as well would make screen readers say it twice.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var region = (target.id && document.getElementById(target.id)) || target;
    var status = region.querySelector("[data-status]");
    var live = document.getElementById("live-status");
    if (!status || !live) { return; }
    live.textContent = status.hasAttribute("autofocus") ? "" : status.getAttribute("data-status");
  });
  // A table wider than the screen scrolls inside its container: when (and only when) it does, the container
  // is given the focus order and a name, so that keyboard users can scroll it too (WCAG 2.1.1, 1.4.10).
  function markScrollingTables() {
    var containers = document.querySelectorAll(".table-scroll");
    for (var i = 0; i < containers.length; i++) {
      var container = containers[i];
      if (container.scrollWidth > container.clientWidth + 1) {
        var caption = container.querySelector("caption");
        container.setAttribute("tabindex", "0");
        container.setAttribute("role", "region");
        container.setAttribute("aria-label", (caption && caption.textContent.trim()) ||
                               document.body.getAttribute("data-scroll-label") || "");
        container.setAttribute("data-cue", document.body.getAttribute("data-scroll-cue") || "");
      } else {
        container.removeAttribute("tabindex");
        container.removeAttribute("role");
        container.removeAttribute("aria-label");
        container.removeAttribute("data-cue");
      }
    }
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    if (resizeTimer) { window.clearTimeout(resizeTimer); }
    resizeTimer = window.setTimeout(markScrollingTables, 50);
  });
  document.body.addEventListener("htmx:afterSettle", markScrollingTables);
  markScrollingTables();
  // A list of check boxes with a search box (hidden without this script, which shows the whole list): typing
  // keeps the options whose name contains the words typed, accents and case aside; ticked ones always stay.
  function fold(text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-filter-list]")) { return; }
    var list = document.getElementById(box.getAttribute("data-filter-list"));
    var wanted = fold(box.value.trim());
    var options = list ? list.querySelectorAll("label") : [];
    for (var i = 0; i < options.length; i++) {
      var ticked = options[i].querySelector("input").checked;
      options[i].hidden = wanted !== "" && !ticked && fold(options[i].textContent).indexOf(wanted) < 0;
    }
  });
  // The menu's and the filters' disclosures are open on wide screens by CSS (::details-content); where a browser
  // lacks it, open them.
  var folded = document.querySelectorAll("details.menu, details.fold-narrow");
  if (folded.length && !(window.CSS && CSS.supports && CSS.supports("selector(::details-content)")) &&
      window.matchMedia) {
    var wide = window.matchMedia("(min-width: 700px)");
    var openWhenWide = function () {
      for (var k = 0; k < folded.length; k++) { if (wide.matches) { folded[k].open = true; } }
    };
    openWhenWide();
    if (wide.addEventListener) { wide.addEventListener("change", openWhenWide); }
  }
  var boxes = document.querySelectorAll("[data-filter-box]");
  for (var j = 0; j < boxes.length; j++) { boxes[j].hidden = false; }
})();
