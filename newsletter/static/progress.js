// Live progress (of a send, of an import): polls the JSON status every 2 s and updates the
// bar and the figures. A send's page ends in place (its buttons go); an import's page reloads
// once, to show its report.
// Without JavaScript the page still shows the figures as they were, with a refresh link.
(function () {
  "use strict";
  var section = document.getElementById("voortgang");
  if (!section) { return; }
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("voortgangsbalk");
  var stamp = document.getElementById("bijgewerkt");
  // the state the page was drawn in: a job that ends before the first poll still reloads
  var lastState = section.getAttribute("data-state");

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
    if (!data.running) {  // finished: no pausing or cancelling any more, and no reload needed
      document.querySelectorAll("[data-while-running]").forEach(function (el) { el.hidden = true; });
      if (lastState !== null && lastState !== data.state) {
        stamp.textContent = "Klaar: " + data.state_label + ".";
        // an import's page shows its report only when done; a send's page has it all
        if (section.hasAttribute("data-reload-when-done")) { window.location.reload(); }
      }
    } else if (lastState !== null && lastState !== data.state) {
      stamp.textContent = "Status gewijzigd: " + data.state_label + ".";
      window.location.reload();  // paused or resumed: the other button
    }
    lastState = data.state;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        show(data);
        if (data.running) { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
}());
