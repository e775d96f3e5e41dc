// Live progress of a send: polls the JSON status every 2 s and updates the bar and figures.
// Without JavaScript the page still shows the figures as they were, with a refresh link.
(function () {
  "use strict";
  var section = document.getElementById("voortgang");
  if (!section) { return; }
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("voortgangsbalk");
  var stamp = document.getElementById("bijgewerkt");
  var lastState = null;

  function show(data) {
    section.querySelectorAll("[data-field]").forEach(function (el) {
      var value = data[el.getAttribute("data-field")];
      if (el.getAttribute("data-field") === "note") {
        el.hidden = !value;
      }
      el.textContent = value === null || value === undefined ? "–" : String(value);
    });
    bar.max = data.total || 1;
    bar.value = data.done;
    bar.textContent = data.percent + "%";
    if (lastState !== null && lastState !== data.state) {
      stamp.textContent = "Status gewijzigd: " + data.state_label + ".";
      if (data.state !== "sending") { window.location.reload(); }
    }
    lastState = data.state;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        show(data);
        if (data.state === "sending" || data.state === "paused") { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
}());
