// Labelled dialogs for a link, a button and an image. Each is a <dialog> with a heading that
// names it; Escape or "Annuleren" closes it and the cursor goes back where it was.
import { NodeSelection } from "prosemirror-state";
import { schema } from "./schema.js";
import { placeBlock } from "./commands.js";

var counter = 0;

function field(form, label, type, hint) {
  var id = "wysiwyg-veld-" + (++counter);
  var wrap = document.createElement("div");
  wrap.className = "field";
  var lab = document.createElement("label");
  lab.className = "label";
  lab.htmlFor = id;
  lab.textContent = label;
  var input = document.createElement("input");
  input.id = id;
  input.type = type;
  input.className = type === "checkbox" ? "" : "input";
  if (type === "checkbox") { wrap.className = "field checkbox"; wrap.append(input, " ", lab); }
  else wrap.append(lab, input);
  if (hint) {
    var p = document.createElement("p");
    p.className = "hint";
    p.id = id + "-hint";
    p.textContent = hint;
    input.setAttribute("aria-describedby", p.id);
    wrap.insertBefore(p, input);
  }
  form.appendChild(wrap);
  return input;
}

function dialog(title) {
  var box = document.createElement("dialog");
  box.className = "wysiwyg-dialog";
  var id = "wysiwyg-dialoog-" + (++counter);
  box.setAttribute("aria-labelledby", id);
  var h = document.createElement("h2");
  h.id = id;
  h.textContent = title;
  var form = document.createElement("form");
  form.method = "dialog";
  form.noValidate = true;
  var error = document.createElement("p");
  error.className = "error";
  error.setAttribute("role", "alert");
  box.append(h, form);
  document.body.appendChild(box);
  return { box: box, form: form, error: error, heading: h };
}

function buttons(d, ok, extra) {
  var row = document.createElement("div");
  row.className = "actions";
  var save = document.createElement("button");
  save.type = "submit";
  save.className = "button";
  save.textContent = ok;
  var cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "button secondary";
  cancel.textContent = "Annuleren";
  cancel.dataset.cancel = "1";
  row.append(save);
  if (extra) row.append(extra);
  row.append(cancel);
  d.form.append(d.error, row);
}

function goodUrl(value, mail) {
  return /^https:\/\/\S+$/.test(value) || (mail && /^mailto:\S+@\S+$/.test(value));
}

export function makeDialogs(view, options) {
  var back = null;
  function open(d, first) {
    back = view.state.selection;
    d.error.textContent = "";
    d.box.showModal();
    first.focus();
  }
  function closeAndFocus(d) { d.box.close(); view.focus(); }

  // ---- link ----------------------------------------------------------------------------
  var link = dialog("Link");
  var linkText = field(link.form, "Tekst van de link", "text");
  var linkUrl = field(link.form, "Adres", "url", "Begint met https:// (of mailto: voor een e-mailadres).");
  var unlink = document.createElement("button");
  unlink.type = "button";
  unlink.className = "button secondary";
  unlink.textContent = "Link weghalen";
  buttons(link, "Link opslaan", unlink);
  unlink.addEventListener("click", function () {
    var sel = view.state.selection, range = linkRange(view.state);
    view.dispatch(view.state.tr.removeMark(range ? range.from : sel.from, range ? range.to : sel.to, schema.marks.link));
    closeAndFocus(link);
  });
  function linkRange(state) {
    var $pos = state.selection.$from, parent = $pos.parent, mark = schema.marks.link.isInSet($pos.marks());
    if (!mark) return null;
    var start = $pos.index(), end = start;
    while (start > 0 && mark.isInSet(parent.child(start - 1).marks)) start--;
    while (end < parent.childCount && mark.isInSet(parent.child(end).marks)) end++;
    var from = $pos.start(), to = from;
    for (var i = 0; i < end; i++) { if (i < start) from += parent.child(i).nodeSize; to += parent.child(i).nodeSize; }
    return { from: from, to: to, mark: mark };
  }
  link.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = linkUrl.value.trim(), text = linkText.value.trim();
    if (!goodUrl(url, true)) { link.error.textContent = "Vul een adres in dat met https:// of mailto: begint."; linkUrl.focus(); return; }
    var state = view.state, sel = state.selection, mark = schema.marks.link.create({ href: url });
    var range = linkRange(state), tr = state.tr;
    var from = range && sel.empty ? range.from : sel.from, to = range && sel.empty ? range.to : sel.to;
    if (from === to) {
      if (!text) { link.error.textContent = "Vul de tekst van de link in."; linkText.focus(); return; }
      tr.insert(from, schema.text(text, [mark]));
    } else {
      tr.removeMark(from, to, schema.marks.link).addMark(from, to, mark);
    }
    view.dispatch(tr);
    closeAndFocus(link);
  });

  // ---- button --------------------------------------------------------------------------
  var knop = dialog("Knop");
  var knopText = field(knop.form, "Tekst op de knop", "text", "Een oproep, bijvoorbeeld ‘Schrijf uw Kamerlid’.");
  var knopUrl = field(knop.form, "Adres", "url", "Begint met https://.");
  buttons(knop, "Knop opslaan");
  knop.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var label = knopText.value.replace(/\s+/g, " ").trim(), url = knopUrl.value.trim();
    if (!label) { knop.error.textContent = "Vul de tekst op de knop in."; knopText.focus(); return; }
    if (!goodUrl(url, false)) { knop.error.textContent = "Vul een adres in dat met https:// begint."; knopUrl.focus(); return; }
    replaceOrInsert(schema.nodes.button.create({ href: url, label: label }), "button");
    closeAndFocus(knop);
  });

  // ---- image ---------------------------------------------------------------------------
  var beeld = dialog("Afbeelding");
  var beeldFile = field(beeld.form, "Afbeelding (PNG, JPEG, GIF of WebP, hoogstens 5 MB)", "file");
  beeldFile.accept = "image/png,image/jpeg,image/gif,image/webp";
  var beeldAlt = field(beeld.form, "Beschrijving (alt-tekst)", "text", "Wat staat erop, voor wie de afbeelding niet ziet? Bijvoorbeeld ‘Grafiek: de tekorten stijgen tot 2027’.");
  var beeldDeco = field(beeld.form, "Decoratief: de afbeelding voegt niets toe aan de tekst (geen beschrijving nodig)", "checkbox");
  buttons(beeld, "Afbeelding opslaan");
  beeld.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var alt = beeldAlt.value.replace(/\s+/g, " ").trim(), decorative = beeldDeco.checked;
    var current = selectedNode("image");
    if (!current && !beeldFile.files.length) { beeld.error.textContent = "Kies een afbeelding."; beeldFile.focus(); return; }
    if (!alt && !decorative) { beeld.error.textContent = "Beschrijf de afbeelding, of vink ‘decoratief’ aan."; beeldAlt.focus(); return; }
    var attrs = { alt: decorative ? "" : alt, decorative: decorative };
    if (current) {
      replaceOrInsert(schema.nodes.image.create(Object.assign({}, current.attrs, attrs)), "image");
      closeAndFocus(beeld);
      return;
    }
    beeld.error.textContent = "Afbeelding uploaden…";
    options.upload(beeldFile.files[0]).then(function (result) {
      if (!result.url) { beeld.error.textContent = result.error || "Uploaden lukte niet."; return; }
      view.dispatch(view.state.tr.setSelection(back));
      replaceOrInsert(schema.nodes.image.create(Object.assign({ src: result.url }, attrs)), "image");
      if (options.status) options.status("Afbeelding ingevoegd." + (result.changes ? " " + result.changes : ""));
      closeAndFocus(beeld);
    }, function () { beeld.error.textContent = "Uploaden lukte niet. Probeer het opnieuw."; });
  });

  function selectedNode(type) {
    var sel = view.state.selection;
    return sel instanceof NodeSelection && sel.node.type.name === type ? sel.node : null;
  }
  function replaceOrInsert(node, type) {
    var state = view.state;
    view.dispatch(selectedNode(type) ? state.tr.replaceSelectionWith(node).scrollIntoView() : placeBlock(state, node));
  }

  // Escape and Annuleren: close and give the text its cursor back at once, not on the "close"
  // event (that comes later, and took the focus back from wherever the keyboard had gone)
  [link, knop, beeld].forEach(function (d) {
    d.box.addEventListener("cancel", function (event) { event.preventDefault(); closeAndFocus(d); });
    d.box.querySelector("[data-cancel]").addEventListener("click", function () { closeAndFocus(d); });
  });
  return function openDialog(name) {
    if (name === "link") {
      var range = linkRange(view.state), sel = view.state.selection;
      linkUrl.value = range ? range.mark.attrs.href : "https://";
      linkText.value = "";
      linkText.parentNode.hidden = !sel.empty || !!range;
      unlink.hidden = !range;
      open(link, linkText.parentNode.hidden ? linkUrl : linkText);
    } else if (name === "button") {
      var b = selectedNode("button");
      knopText.value = b ? b.attrs.label : "";
      knopUrl.value = b ? b.attrs.href : "https://";
      open(knop, knopText);
    } else if (name === "image") {
      var img = selectedNode("image");
      beeldFile.value = "";
      beeldFile.parentNode.hidden = !!img;
      beeldAlt.value = img ? img.attrs.alt : "";
      beeldDeco.checked = img ? img.attrs.decorative : false;
      open(beeld, img ? beeldAlt : beeldFile);
    }
  };
}
