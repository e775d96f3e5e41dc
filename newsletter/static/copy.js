// "Kopieer de sleutel" on the page that shows a new API key once: copies the key to the
// clipboard and says so. Without JavaScript (or a clipboard) the button stays hidden and
// the key is selected with one click (CSS user-select: all).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var line = button.closest(".copy-line");
    var done = line.querySelector(".copy-done");
    if (!source || !navigator.clipboard) { return; }
    line.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () { done.textContent = "Gekopieerd."; },
        function () { done.textContent = "Kopiëren lukte niet. Selecteer de sleutel en kopieer hem zelf."; }
      );
    });
  });
})();
