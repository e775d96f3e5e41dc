// The editor's workspace. Without JavaScript the form saves with its button; with it:
// - the draft saves a moment after the editor stops typing, and the checks and previews follow
//   (on a new edition the first keystroke creates the draft);
// - a toolbar (and Ctrl+B, Ctrl+I, Ctrl+K) writes the Markdown, so nobody has to know it;
// - images upload by button, drag-and-drop or paste and land at the cursor, with alt text;
// - "Gaat naar N lezers" follows the audience as it changes.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var body = form.querySelector("#body") || form.querySelector("#source");
  if (!body || body.readOnly) return;
  var status = document.getElementById("opslaan-status");
  var list = document.getElementById("fouten-lijst");
  var text = document.getElementById("tekstversie");
  var imageStatus = document.getElementById("afbeelding-status");
  var csrf = form.querySelector("input[name=csrf_token]");
  var timer = null;

  function show(items, cls) {
    items.forEach(function (message) {
      var li = document.createElement("li");
      li.className = cls;
      li.textContent = message;
      list.appendChild(li);
    });
  }

  function refreshPreviews(base) {
    document.querySelectorAll("iframe.preview").forEach(function (frame) {
      var src = base ? base + "/voorbeeld" : frame.src.split("?")[0];
      frame.src = src + "?t=" + Date.now();
    });
  }

  function saved(result) {
    var data = result.data;
    list.innerHTML = "";
    if (data.items) {  // with their place in the source, for workspace.js's "Toon in de tekst"
      list.dataset.bodyLine = data.body_line;
      data.items.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "problem-" + item.level;
        li.textContent = item.text;
        if (item.line) li.dataset.line = item.line;
        list.appendChild(li);
      });
    } else {
      show(data.errors || [], "problem-error");
      show(data.warnings || [], "problem-warning");
    }
    if (!list.children.length) show(["Geen fouten of waarschuwingen."], "");
    if (text && data.text) text.textContent = data.text;
    if (data.edit_url) {  // a new edition now exists: from here on this is its page
      form.dataset.autosave = data.edit_url;
      form.action = data.edit_url;
      delete form.dataset.new;
      history.replaceState(null, "", data.edit_url);
      var previews = document.querySelector(".previews-new");
      if (previews) previews.hidden = false;
      var waiting = document.getElementById("voorbeeld-nog-niet");
      if (waiting) waiting.hidden = true;
      refreshPreviews(data.edit_url);
    } else if (result.ok) {
      refreshPreviews(null);
    }
    status.textContent = result.ok ? "Opgeslagen; het voorbeeld is bijgewerkt." : "Niet opgeslagen: zie de controle.";
  }

  // one save at a time, in order: a newer change waits for the older save, so an old request
  // can never land after a new one (and a new edition is created once)
  var inFlight = false, again = false;
  function save() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    status.textContent = "Opslaan…";
    fetch(form.dataset.autosave, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(saved).catch(function () {
      status.textContent = "Opslaan lukte niet. Gebruik de knop onder het formulier.";
    }).then(function () {
      inFlight = false;
      if (again) { again = false; save(); }
    });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(function () { timer = null; save(); }, 700);
  }
  // leaving the page within the 0.7 s after a change: that change is saved all the same
  window.addEventListener("pagehide", function () {
    if (timer === null || (inFlight && form.dataset.new)) return;
    clearTimeout(timer);
    fetch(form.dataset.autosave, {
      method: "POST", body: new FormData(form), keepalive: true,
      headers: { "X-Requested-With": "fetch" }, credentials: "same-origin"
    });
  });
  form.addEventListener("input", later);
  form.addEventListener("change", later);

  // ---- the toolbar: each button writes a bit of Markdown around the selection -------------
  function replace(before, after, placeholder) {
    var start = body.selectionStart, end = body.selectionEnd;
    var chosen = body.value.slice(start, end) || placeholder;
    body.focus();
    body.setRangeText(before + chosen + after, start, end, "end");
    body.setSelectionRange(start + before.length, start + before.length + chosen.length);
    later();
  }

  function linePrefix(prefix) {
    var start = body.value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    var end = body.selectionEnd;
    var lines = body.value.slice(start, end).split("\n").map(function (line) {
      return line.indexOf(prefix) === 0 ? line : prefix + line;
    });
    body.focus();
    body.setRangeText(lines.join("\n"), start, end, "end");
    later();
  }

  function askUrl(label) {
    var url = window.prompt(label, "https://");
    return url && url !== "https://" ? url.trim() : null;
  }

  var actions = {
    heading: function () { linePrefix("## "); },
    bold: function () { replace("**", "**", "vette tekst"); },
    italic: function () { replace("*", "*", "schuine tekst"); },
    link: function () {
      var url = askUrl("Adres van de link (https://…)");
      if (url) replace("[", "](" + url + ")", "tekst van de link");
    },
    button: function () {
      var url = askUrl("Adres waar de knop naartoe gaat (https://…)");
      if (url) replace("[", "](" + url + "){.button}", "Tekst op de knop");
    },
    image: function () { picker.click(); },
    list: function () { linePrefix("- "); },
    quote: function () { linePrefix("> "); },
    table: function () {
      replace("\n| Kolom 1 | Kolom 2 |\n| --- | --- |\n| ", " | waarde |\n", "waarde");
    }
  };

  var toolbar = form.querySelector(".toolbar");
  if (toolbar) {
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-do]");
      if (button) actions[button.dataset.do]();
    });
  }
  body.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    var key = event.key.toLowerCase();
    var name = { b: "bold", i: "italic", k: "link" }[key];
    if (name && toolbar) {
      event.preventDefault();
      actions[name]();
    }
  });

  // ---- images: button, drop, paste --------------------------------------------------------
  var uploadUrl = toolbar ? toolbar.dataset.upload : null;
  var picker = document.createElement("input");
  picker.type = "file";
  picker.accept = "image/png,image/jpeg,image/gif,image/webp";
  picker.hidden = true;
  picker.setAttribute("aria-label", "Afbeelding kiezen"); // hidden, yet named for checkers
  form.appendChild(picker);
  picker.addEventListener("change", function () {
    if (picker.files[0]) upload(picker.files[0]);
    picker.value = "";
  });

  function upload(file) {
    if (!uploadUrl) return;
    var data = new FormData();
    data.append("csrf_token", csrf.value);
    data.append("image", file, file.name || "geplakt.png");
    imageStatus.textContent = "Afbeelding uploaden…";
    var at = body.selectionStart;
    fetch(uploadUrl, {
      method: "POST", body: data, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin"
    }).then(function (response) { return response.json(); }).then(function (result) {
      if (!result.url) {
        imageStatus.textContent = result.error || "Uploaden lukte niet.";
        return;
      }
      var alt = window.prompt("Beschrijf de afbeelding voor wie haar niet kan zien (alt-tekst):", "") || "";
      alt = alt.replace(/[\[\]\n]/g, " ").trim();
      body.focus();
      body.setSelectionRange(at, at);
      replace("![" + (alt || "beschrijf de afbeelding") + "](" + result.url + ")", "", "");
      imageStatus.textContent = (alt ? "Afbeelding ingevoegd." : "Afbeelding ingevoegd. Vul nog een beschrijving in tussen de [ ].")
        + (result.changes ? " " + result.changes : "");
    }).catch(function () {
      imageStatus.textContent = "Uploaden lukte niet. Probeer het opnieuw.";
    });
  }

  body.addEventListener("dragover", function (event) { event.preventDefault(); });
  body.addEventListener("drop", function (event) {
    var file = event.dataTransfer && event.dataTransfer.files[0];
    if (file && file.type.indexOf("image/") === 0) {
      event.preventDefault();
      upload(file);
    }
  });
  body.addEventListener("paste", function (event) {
    var items = (event.clipboardData && event.clipboardData.files) || [];
    if (items.length && items[0].type.indexOf("image/") === 0) {
      event.preventDefault();
      upload(items[0]);
    }
  });

  // ---- the audience: "Gaat naar N lezers" -------------------------------------------------
  var count = document.getElementById("doelgroep-aantal");
  function recount() {
    if (!count) return;
    var query = new URLSearchParams();
    form.querySelectorAll("input[data-audience]:checked").forEach(function (box) {
      query.append(box.dataset.audience === "provinces" ? "provincies" : "functies", box.value);
    });
    var towns = form.querySelector("#gemeenten");
    if (towns) query.append("gemeenten", towns.value);
    fetch(count.dataset.url + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.problems && data.problems.length) {
          count.textContent = data.problems.join(" ");
          count.classList.add("problem-error");
        } else {
          count.classList.remove("problem-error");
          count.textContent = "Gaat naar " + data.count.toLocaleString("nl-NL") + (data.count === 1 ? " lezer" : " lezers") + ".";
        }
      });
  }
  form.querySelectorAll("[data-audience]").forEach(function (input) {
    input.addEventListener("change", recount);
  });
  recount();

  // ---- a municipality search that adds to the list ----------------------------------------
  var adder = form.querySelector(".add-town");
  var towns = form.querySelector("#gemeenten");
  if (adder && towns) {
    adder.hidden = false;
    var search = adder.querySelector("#gemeente-zoeken");
    var known = {};
    document.querySelectorAll("#gemeenten-lijst option").forEach(function (option) {
      known[option.value.toLowerCase()] = option.value;
    });
    var add = function () {
      var name = known[search.value.trim().toLowerCase()];
      if (!name) {
        count.textContent = "Kies een gemeente uit de lijst.";
        return;
      }
      var current = towns.value.split(",").map(function (t) { return t.trim(); }).filter(Boolean);
      if (current.indexOf(name) === -1) current.push(name);
      towns.value = current.join(", ");
      search.value = "";
      towns.dispatchEvent(new Event("change", { bubbles: true }));
    };
    adder.querySelector("#gemeente-toevoegen").addEventListener("click", add);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); add(); }
    });
  }
})();
