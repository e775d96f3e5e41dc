// Live preview: save the draft a moment after the editor stops typing, then reload the previews.
// Without JavaScript the "Opslaan en voorbeeld bijwerken" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var source = form.querySelector("textarea");
  if (!source || source.readOnly) return;
  var status = document.getElementById("opslaan-status");
  var list = document.getElementById("fouten-lijst");
  var text = document.getElementById("tekstversie");
  var timer = null;

  function show(items, cls) {
    items.forEach(function (message) {
      var li = document.createElement("li");
      li.className = cls;
      li.textContent = message;
      list.appendChild(li);
    });
  }

  function save() {
    status.textContent = "Opslaan…";
    fetch(form.dataset.autosave, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      list.innerHTML = "";
      show(result.data.errors || [], "problem-error");
      show(result.data.warnings || [], "problem-warning");
      if (!list.children.length) show(["Geen fouten of waarschuwingen."], "");
      if (result.data.text !== undefined && result.data.text !== "") text.textContent = result.data.text;
      document.querySelectorAll("iframe.preview").forEach(function (frame) {
        frame.src = frame.src.split("?")[0] + "?t=" + Date.now();
      });
      status.textContent = result.ok ? "Opgeslagen; het voorbeeld is bijgewerkt." : "Niet opgeslagen.";
    }).catch(function () {
      status.textContent = "Opslaan lukte niet. Probeer de knop.";
    });
  }

  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 700);
  });
})();
