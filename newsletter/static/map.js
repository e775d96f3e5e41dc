// The coverage map: the municipality under the pointer or the keyboard focus is named in a
// live region (the SVG <title> already shows it on hover without JavaScript).
(function () {
  "use strict";
  var out = document.getElementById("kaart-gekozen");
  var map = document.querySelector(".nl-map");
  if (!out || !map) { return; }
  function show(event) {
    var label = event.target.getAttribute && event.target.getAttribute("aria-label");
    if (label) { out.textContent = label; }
  }
  map.addEventListener("focusin", show);
  map.addEventListener("mouseover", show);
}());
