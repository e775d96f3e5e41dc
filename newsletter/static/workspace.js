// The edit page around the text: the preview beside it switches between computer and phone;
// each problem with a place in the text gets a button that takes the cursor there; a test
// mail is sent without leaving the page, and its result shows up when the worker has it.
(function () {
  "use strict";

  // ---- computer / phone ----------------------------------------------------------------
  var toggle = document.querySelector(".preview-switch");
  if (toggle) {
    var show = function (which) {
      toggle.querySelectorAll("button").forEach(function (b) {
        b.setAttribute("aria-pressed", b.dataset.preview === which ? "true" : "false");
      });
      document.querySelectorAll("[data-preview-box]").forEach(function (box) {
        box.hidden = box.dataset.previewBox !== which;
      });
    };
    toggle.hidden = false;
    toggle.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-preview]");
      if (button) show(button.dataset.preview);
    });
    show("desktop");
  }

  // ---- problems that jump to their place, and are marked there -------------------------
  var list = document.getElementById("fouten-lijst");
  function decorate() {
    if (!list || !window.ravijnEditor) return;
    var first = +list.dataset.bodyLine || 0, marks = [];
    list.querySelectorAll("li[data-line]").forEach(function (li, index) {
      var line = +li.dataset.line - first + 1 - window.ravijnEditor.lead;
      if (line < 1) return;
      if (!li.id) li.id = "probleem-" + (index + 1);
      marks.push({ line: line, level: li.classList.contains("problem-error") ? "error" : "warning", text: li.firstChild.textContent, id: li.id });
      if (li.querySelector("button")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "linklike";
      button.textContent = "Toon in de tekst";
      button.addEventListener("click", function () { window.ravijnEditor.focusLine(line); });
      li.appendChild(button);
    });
    if (window.ravijnEditor.markProblems) window.ravijnEditor.markProblems(marks);
  }
  if (list) {
    new MutationObserver(decorate).observe(list, { childList: true });
    window.addEventListener("load", decorate);
    document.addEventListener("ravijn-editor", decorate);
  }

  // ---- a test mail without a reload ------------------------------------------------------
  var test = document.querySelector("form.test-send");
  if (!test || !window.fetch) return;
  var status = document.createElement("p");
  status.id = "test-status";
  status.className = "hint";
  status.setAttribute("role", "status");
  test.appendChild(status);
  function lastTest(html) {
    var found = new DOMParser().parseFromString(html, "text/html").getElementById("laatste-test");
    return found ? found.textContent.trim() : "";
  }
  test.addEventListener("submit", function (event) {
    event.preventDefault();
    var before = (document.getElementById("laatste-test") || {}).textContent || "";
    status.textContent = "Testmail versturen…";
    fetch(test.action, {
      method: "POST", body: new FormData(test), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      status.textContent = data.message;
      if (!data.ok) return;
      var tries = 0;
      var poll = function () {
        fetch(location.pathname, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
          var now = lastTest(html);
          if (now && now !== before.trim()) {
            var shown = document.getElementById("laatste-test");
            if (!shown) {
              shown = document.createElement("p");
              shown.className = "hint";
              shown.id = "laatste-test";
              test.insertAdjacentElement("afterend", shown);
            }
            shown.textContent = now;
            status.textContent = data.message + " " + now;
          } else if (++tries < 20) {
            setTimeout(poll, 1500);
          } else {
            status.textContent = data.message + " Of de mailserver hem heeft aangenomen, zie je later op deze pagina.";
          }
        });
      };
      setTimeout(poll, 1000);
    }).catch(function () {
      status.textContent = "Versturen lukte niet. Probeer het opnieuw.";
    });
  });
})();
