// A WAI-ARIA toolbar: one tab stop (roving tabindex), arrows, Home and End move between the
// buttons, Escape goes back to the text; aria-pressed says which formatting is on.
import { commands, ariaKey } from "./commands.js";

export function buildToolbar(view, editorId, openDialog) {
  var bar = document.createElement("div");
  bar.className = "toolbar wysiwyg-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Opmaak van de tekst");
  bar.setAttribute("aria-controls", editorId);
  var buttons = commands.map(function (command, index) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = command.label;
    button.dataset.command = command.id;
    button.tabIndex = index === 0 ? 0 : -1;
    if (command.key) button.setAttribute("aria-keyshortcuts", ariaKey(command.key));
    if (command.active) button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () { run(view, command, openDialog); });
    bar.appendChild(button);
    return button;
  });

  function move(to) {
    buttons.forEach(function (b) { b.tabIndex = -1; });
    buttons[to].tabIndex = 0;
    buttons[to].focus();
  }
  bar.addEventListener("keydown", function (event) {
    var at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    var to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (to !== undefined) {
      event.preventDefault();
      move((to + buttons.length) % buttons.length);
    } else if (event.key === "Escape") {
      event.preventDefault();
      view.focus();
    }
  });
  bar.addEventListener("focusin", function (event) {
    var at = buttons.indexOf(event.target);
    if (at >= 0) { buttons.forEach(function (b) { b.tabIndex = -1; }); buttons[at].tabIndex = 0; }
  });

  return {
    element: bar,
    focus: function () { (buttons.filter(function (b) { return b.tabIndex === 0; })[0] || buttons[0]).focus(); },
    update: function (state) {
      commands.forEach(function (command, i) {
        if (command.active) buttons[i].setAttribute("aria-pressed", command.active(state) ? "true" : "false");
        var enabled = command.enabled ? command.enabled(state) : true;
        // aria-disabled, not disabled: the button stays reachable and says why it does nothing
        if (enabled) buttons[i].removeAttribute("aria-disabled");
        else buttons[i].setAttribute("aria-disabled", "true");
      });
    }
  };
}

export function run(view, command, openDialog) {
  if (command.dialog) { openDialog(command.dialog); return true; }
  if (command.enabled && !command.enabled(view.state)) return false;
  var done = command.run(view.state, view.dispatch, view);
  view.focus();
  return done;
}
