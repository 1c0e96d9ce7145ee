/* Signing in and out return to the page the reader was on, with its query: the account links get
   ?next=<path and query> as they are followed (by mouse or keyboard). The server accepts only a path on
   this site (kcsp.web.auth._safe_next). */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("#nav-login, #nav-logout") : null;
    if (!link) {
      return;
    }
    var here = window.location.pathname + window.location.search;
    var target = new URL(link.getAttribute("href"), window.location.origin);
    target.searchParams.set("next", here);
    link.setAttribute("href", target.pathname + target.search);
  }, true);
})();
