/* /actions: when the form to create or edit an action opens, bring it into view and move the
   keyboard focus to its first field, so a keyboard or screen-reader user lands where they type; and
   a long text box counts its characters as you type, saying by how much it is over its limit (the
   server refuses what is too long; nothing is cut). */
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
    },
    countCharacters: function (value, limit) {
      var max = Number(limit);
      var used = Array.from(value || "").length;
      var words = used.toLocaleString("en-GB") + " of " + max.toLocaleString("en-GB") + " characters";
      if (used > max) {
        return words + ": " + (used - max).toLocaleString("en-GB") + " too many. Shorten it to save; " +
          "nothing has been cut.";
      }
      return words + ". Updates are added to the history; earlier ones are kept.";
    }
  };
})();
