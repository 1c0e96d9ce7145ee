/* "Download the meeting pack (PDF)" on /meeting: the pack is built on the server (a few seconds the
   first time), so the link is fetched here, with the time spent shown while it builds, then saved;
   when the server cannot build it, its message is shown in words. Without scripts the link still
   downloads the PDF. */
(function () {
  "use strict";

  function show(status, text, busy) {
    status.textContent = "";
    if (busy) {
      var bar = document.createElement("progress");
      bar.setAttribute("aria-label", "Building the meeting pack");
      bar.className = "me-2 align-middle";
      status.appendChild(bar);
    }
    status.appendChild(document.createTextNode(text));
    status.classList.toggle("pack-download-error", /could not/.test(text));
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function filename(response, fallback) {
    var found = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return found ? found[1] : fallback;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#pack-download");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var status = document.getElementById("pack-download-status");
    if (!status || !window.fetch) {
      return;
    }
    event.preventDefault();
    if (link.getAttribute("aria-disabled") === "true") {
      return;
    }
    link.setAttribute("aria-disabled", "true");
    link.classList.add("disabled");
    var started = Date.now();
    var tick = function () {
      var seconds = Math.round((Date.now() - started) / 1000);
      show(status, "Building the meeting pack: " + seconds + " s so far (it usually takes under a minute the " +
        "first time, then it is ready at once).", true);
    };
    tick();
    var timer = window.setInterval(tick, 1000);
    var done = function (text) {
      window.clearInterval(timer);
      link.removeAttribute("aria-disabled");
      link.classList.remove("disabled");
      show(status, text, false);
    };
    fetch(link.href, {credentials: "same-origin"}).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && type.indexOf("application/pdf") === 0) {
        return response.blob().then(function (blob) {
          var name = filename(response, link.dataset.filename || "meeting-pack.pdf");
          save(blob, name);
          done("The meeting pack is ready: saved as " + name + ".");
        });
      }
      return response.text().then(function (text) {
        done("The meeting pack could not be built: " + (text.trim() || "the server answered " + response.status));
      });
    }).catch(function () {
      done("The meeting pack could not be downloaded: check the connection and try again.");
    });
  });
})();
