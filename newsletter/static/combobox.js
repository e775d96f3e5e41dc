// Progressive enhancement of the Gemeente field: an ARIA 1.2 combobox with a listbox.
// Without JavaScript the field is a text input with a native <datalist>, which also filters.
(function () {
  "use strict";
  function fold(s) {
    return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[-']/g, " ").replace(/\s+/g, " ").trim();
  }
  document.querySelectorAll('input[data-combobox="gemeente"]').forEach(function (input) {
    var datalist = document.getElementById(input.getAttribute("list"));
    if (!datalist) return;
    var options = Array.prototype.map.call(datalist.options, function (o) { return o.value; });
    input.removeAttribute("list");
    var wrapper = document.createElement("div");
    wrapper.className = "combo";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    var list = document.createElement("ul");
    list.id = input.id + "-opties";
    list.className = "combo-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Gemeenten");
    list.hidden = true;
    wrapper.appendChild(list);
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrapper.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var active = -1;
    var shown = [];

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var items = list.children;
      for (var i = 0; i < items.length; i++) items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(value) {
      input.value = value;
      close();
    }
    function update() {
      var q = fold(input.value);
      shown = q ? options.filter(function (o) { return fold(o).indexOf(q) !== -1; }).slice(0, 50) : [];
      list.innerHTML = "";
      shown.forEach(function (value, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = value;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(value); });
        list.appendChild(li);
      });
      var open = shown.length > 0 && !(shown.length === 1 && fold(shown[0]) === q);
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      active = -1;
      status.textContent = q ? shown.length + (shown.length === 1 ? " gemeente gevonden" : " gemeenten gevonden") : "";
    }
    input.addEventListener("input", update);
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (e) {
      if (list.hidden && e.key === "ArrowDown") { update(); }
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, shown.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(shown[active]); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
  });
})();
