// The workspace's WYSIWYG editor over the Markdown source (issue 29). It sits over the form's
// textarea #body, which stays in the form (hidden) and holds the Markdown the editor writes;
// without JavaScript the textarea is the editor. Built once into newsletter/static/wysiwyg.js
// by `make editor` (frontend/editor: npm ci && npm run build).
import { EditorState, Plugin } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { keymap } from "prosemirror-keymap";
import { history } from "prosemirror-history";
import { baseKeymap, chainCommands, exitCode } from "prosemirror-commands";
import { splitListItem, liftListItem, sinkListItem } from "prosemirror-schema-list";
import { tableEditing, goToNextCell } from "prosemirror-tables";
import { schema } from "./schema.js";
import { parser, toMarkdown } from "./markdown.js";
import { commands } from "./commands.js";
import { buildToolbar, run } from "./toolbar.js";
import { makeDialogs } from "./dialogs.js";
import { cleanPaste } from "./paste.js";
import { imageFiles } from "./images.js";
import { problemsPlugin, markProblems, focusLine } from "./problems.js";

function note(area, text) {
  var p = document.createElement("p");
  p.className = "notice";
  p.id = "editor-melding";
  p.setAttribute("role", "status");
  p.textContent = text;
  area.parentNode.insertBefore(p, area);
}

function mount() {
  var form = document.querySelector("form[data-autosave]");
  var area = form && form.querySelector("textarea#body");
  if (!area || area.readOnly) return;
  var original = area.value.replace(/^\n/, "");
  var doc;
  try {
    doc = parser.parse(area.value);
  } catch (error) {
    note(area, "Deze tekst opent als platte tekst: de editor kan hem niet tonen (" + error.message + ").");
    return;
  }
  if (toMarkdown(doc) !== original) {
    note(area, "Deze tekst opent als platte tekst: de editor zou hem anders opslaan dan hij nu is. Je kunt hem hier gewoon bewerken.");
    return;
  }

  var host = document.createElement("div");
  host.className = "wysiwyg";
  area.parentNode.insertBefore(host, area);
  area.hidden = true;
  // the hints about typing the formatting as text are for the plain text box, not for this editor
  document.querySelectorAll("[data-zonder-editor]").forEach(function (el) { el.hidden = true; });
  var old = form.querySelector(".toolbar[data-upload]");
  var uploadUrl = old ? old.dataset.upload : null;
  if (old) old.remove();  // the Markdown toolbar of editor.js: this editor has its own

  var view, toolbar, openDialog;
  var keys = {
    "Alt-F10": function () { toolbar.focus(); return true; },
    "Shift-Enter": chainCommands(exitCode, function (state, dispatch) {
      if (!state.selection.$from.parent.type.contentMatch.matchType(schema.nodes.hard_break)) return false;
      if (dispatch) dispatch(state.tr.replaceSelectionWith(schema.nodes.hard_break.create()).scrollIntoView());
      return true;
    }),
    "Enter": splitListItem(schema.nodes.list_item),
    "Tab": chainCommands(goToNextCell(1), sinkListItem(schema.nodes.list_item)),
    "Shift-Tab": chainCommands(goToNextCell(-1), liftListItem(schema.nodes.list_item))
  };
  commands.forEach(function (command) {
    if (command.key && !keys[command.key]) {
      keys[command.key] = function () { return run(view, command, openDialog); };
    }
  });

  var statusLine = document.getElementById("afbeelding-status");
  var images = {
    upload: function (file) {
      var data = new FormData();
      data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      data.append("image", file, file.name || "afbeelding.png");
      return fetch(uploadUrl, { method: "POST", body: data, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (response) {
          // above the server's limit for any upload the answer is a page, not JSON
          return response.json().catch(function () {
            return { error: response.status === 413 ? "Het bestand is groter dan 5 MB." : "Uploaden lukte niet. Probeer het opnieuw." };
          });
        });
    },
    status: function (text) { if (statusLine) statusLine.textContent = text; },
    ask: function () { openDialog("image"); }
  };
  var state = EditorState.create({
    doc: doc,
    plugins: [history(), keymap(keys), keymap(baseKeymap), tableEditing(), problemsPlugin, imageFiles(images),
      new Plugin({ props: { transformPastedHTML: cleanPaste } })]
  });
  var editorId = "tekst-editor";
  view = new EditorView(host, {
    state: state,
    attributes: {
      id: editorId, class: "wysiwyg-text", role: "textbox", "aria-multiline": "true",
      "aria-labelledby": "tekst-label", "aria-describedby": "body-hint editor-toetsen", spellcheck: "true"
    },
    dispatchTransaction: function (tr) {
      view.updateState(view.state.apply(tr));
      toolbar.update(view.state);
      if (tr.docChanged) {
        area.value = toMarkdown(view.state.doc);
        form.dispatchEvent(new Event("input", { bubbles: true }));  // editor.js saves a moment later
      }
    }
  });
  openDialog = makeDialogs(view, images);
  toolbar = buildToolbar(view, editorId, openDialog);
  host.insertBefore(toolbar.element, host.firstChild);
  var help = document.createElement("p");
  help.className = "hint";
  help.id = "editor-toetsen";
  help.textContent = "Alt+F10 brengt je naar de knoppen; Escape weer terug naar de tekst. Shift+Enter is een nieuwe regel in dezelfde alinea.";
  host.appendChild(help);
  toolbar.update(view.state);
  // whatever way the form goes (button, autosave, leaving the page): the editor's Markdown
  form.addEventListener("submit", function () { area.value = toMarkdown(view.state.doc); }, true);
  window.ravijnEditor = {
    view: view,
    lead: area.value.charAt(0) === "\n" ? 1 : 0,  // the blank line after the front matter
    markdown: function () { return toMarkdown(view.state.doc); },
    focusLine: function (line) { focusLine(view, line); },
    markProblems: function (items) { markProblems(view, items); }
  };
  document.dispatchEvent(new Event("ravijn-editor"));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
else mount();
