/* dcc.Upload renders its file input without a label or id. Give every upload input on the page the
   accessible name of the element that describes it (data-upload-label on the Upload's children),
   so screen readers announce it and axe's "form elements must have labels" rule holds. */
(function () {
  "use strict";

  function label(root) {
    var inputs = root.querySelectorAll(".upload-box input[type=file]:not([aria-label])");
    inputs.forEach(function (input) {
      var box = input.closest(".upload-box");
      var named = box && box.querySelector("[data-upload-label]");
      input.setAttribute("aria-label", named ? named.getAttribute("data-upload-label") : "Choose a file");
    });
  }

  new MutationObserver(function () { label(document); })
    .observe(document.documentElement, {childList: true, subtree: true});
})();
