/* /actions: when the form to create or edit an action opens, bring it into view and move the
   keyboard focus to its first field, so a keyboard or screen-reader user lands where they type. */
(function () {
  "use strict";
  window.dash_clientside = Object.assign({}, window.dash_clientside);
  window.dash_clientside.plan = {
    focusForm: function (mode) {
      if (mode) {
        window.setTimeout(function () {
          var first = document.getElementById("plan-title");
          if (first) {
            first.scrollIntoView({block: "center"});
            first.focus();
          }
        }, 0);
      }
      return window.dash_clientside.no_update;
    }
  };
})();
