/* Committee mode (present=1): the right and left arrow keys press the "next" and "previous"
   priority links of the committee bar, and charts are redrawn with larger text for a projector.
   Keys typed in inputs, dropdowns, sliders and tab lists are left alone. */
(function () {
  "use strict";

  var CHART_FONT = 18;
  var ANNOTATION_FONT = 16;

  function presentOn() {
    return new URLSearchParams(window.location.search).get("present") === "1";
  }

  function typingIn(el) {
    if (!el || el === document.body || el === document.documentElement) {
      return false;
    }
    if (el.isContentEditable) {
      return true;
    }
    var tag = el.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") {
      return true;
    }
    return Boolean(el.closest(
      "[role='combobox'], [role='listbox'], [role='option'], [role='slider'], [role='tablist'], " +
      ".dash-dropdown, .Select, .rc-slider, [contenteditable='true']"
    ));
  }

  function usable(link) {
    return link && link.getAttribute("href") && !link.classList.contains("d-none") && link.offsetParent !== null;
  }

  /* Enter on a slide (nothing else focused) opens the full page: the "Leave committee mode" link. */
  function openFullPage(event) {
    var active = document.activeElement;
    if (active && active !== document.body && active !== document.documentElement && active.closest &&
        active.closest("a, button, input, select, textarea, summary, [tabindex]:not(#main)")) {
      return;
    }
    var toggle = document.getElementById("present-toggle");
    if (!document.getElementById("slide") || !usable(toggle)) {
      return;
    }
    event.preventDefault();
    toggle.click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && presentOn() && !event.defaultPrevented && !event.altKey && !event.ctrlKey &&
        !event.metaKey && !event.shiftKey && !typingIn(event.target)) {
      openFullPage(event);
      return;
    }
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") {
      return;
    }
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    if (!presentOn() || typingIn(event.target) || typingIn(document.activeElement)) {
      return;
    }
    var link = document.getElementById(event.key === "ArrowRight" ? "committee-next" : "committee-previous");
    if (!usable(link)) {
      return;
    }
    event.preventDefault();
    link.click();
  });

  function enlarge(gd) {
    var layout = gd._fullLayout;
    if (!layout || !layout.font || layout.font.size >= CHART_FONT || !window.Plotly) {
      return;
    }
    var update = {"font.size": CHART_FONT};
    (gd.layout.annotations || []).forEach(function (annotation, i) {
      update["annotations[" + i + "].font.size"] = ANNOTATION_FONT;
    });
    try {
      var done = window.Plotly.relayout(gd, update);
      if (done && done.catch) {
        done.catch(function () { return null; });
      }
    } catch (err) {
      return;
    }
  }

  var pending = null;
  function enlargeCharts() {
    pending = null;
    if (!presentOn()) {
      return;
    }
    document.querySelectorAll(".js-plotly-plot").forEach(enlarge);
  }

  function schedule() {
    if (pending === null) {
      pending = window.setTimeout(enlargeCharts, 150);
    }
  }

  function watch() {
    new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});
    schedule();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
