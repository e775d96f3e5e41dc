// The editor's commands: one list for the toolbar, the keyboard and the tests. Each has a
// Dutch label, an optional key, `run(view)` and `active(state)` for aria-pressed.
import { setBlockType, toggleMark, wrapIn, lift } from "prosemirror-commands";
import { TextSelection } from "prosemirror-state";
import { wrapInList, liftListItem } from "prosemirror-schema-list";
import { undo, redo, undoDepth, redoDepth } from "prosemirror-history";
import { addRowAfter, addColumnAfter, deleteRow, deleteColumn, isInTable } from "prosemirror-tables";
import { schema } from "./schema.js";

var nodes = schema.nodes, marks = schema.marks;

function markActive(state, type) {
  var sel = state.selection;
  if (sel.empty) return !!type.isInSet(state.storedMarks || sel.$from.marks());
  return state.doc.rangeHasMark(sel.from, sel.to, type);
}

function blockIs(state, type, attrs) {
  var parent = state.selection.$from.parent;
  if (parent.type !== type) return false;
  for (var key in attrs || {}) if (parent.attrs[key] !== attrs[key]) return false;
  return true;
}

function inside(state, type) {
  var $from = state.selection.$from;
  for (var d = $from.depth; d > 0; d--) if ($from.node(d).type === type) return true;
  return false;
}

function heading(level) {
  return function (state, dispatch) {
    if (blockIs(state, nodes.heading, { level: level })) return setBlockType(nodes.paragraph)(state, dispatch);
    return setBlockType(nodes.heading, { level: level })(state, dispatch);
  };
}

function list(type) {
  return function (state, dispatch) {
    if (inside(state, type)) return liftListItem(nodes.list_item)(state, dispatch);
    return wrapInList(type)(state, dispatch);
  };
}

function quote(state, dispatch) {
  if (inside(state, nodes.blockquote)) return lift(state, dispatch);
  return wrapIn(nodes.blockquote)(state, dispatch);
}

// a block (rule, table, button, image) goes after the block the cursor is in, or instead of it
// when that is an empty paragraph; the cursor goes on after it, into a new paragraph if need be
export function placeBlock(state, node) {
  var $to = state.selection.$to, tr = state.tr, at;
  var empty = $to.depth === 1 && $to.parent.type === nodes.paragraph && !$to.parent.content.size;
  if (empty) {
    at = $to.before(1);
    tr.replaceWith(at, $to.after(1), node);
  } else {
    at = $to.depth > 0 ? $to.after(1) : $to.pos;
    tr.insert(at, node);
  }
  var after = at + node.nodeSize;
  // a paragraph after the block, so there is always a place to write on below it
  var next = tr.doc.resolve(after).nodeAfter;
  if (!next || !next.isTextblock) tr.insert(after, nodes.paragraph.create());
  if (node.type === nodes.table) tr.setSelection(TextSelection.near(tr.doc.resolve(at + 3)));
  else tr.setSelection(TextSelection.create(tr.doc, after + 1));
  return tr.scrollIntoView();
}

function insertBlock(node) {
  return function (state, dispatch) {
    if (isInTable(state)) return false;
    if (dispatch) dispatch(placeBlock(state, node));
    return true;
  };
}

function table(state, dispatch) {
  function cell(type, text) { return type.create(null, text ? schema.text(text) : null); }
  var head = nodes.table_row.create(null, [cell(nodes.table_header), cell(nodes.table_header)]);
  var row = nodes.table_row.create(null, [cell(nodes.table_cell), cell(nodes.table_cell)]);
  return insertBlock(nodes.table.create(null, [head, row]))(state, dispatch);
}

function rule(state, dispatch) {
  return insertBlock(nodes.horizontal_rule.create())(state, dispatch);
}

function canDo(command) { return function (state) { return command(state); }; }

// `dialog` commands open a dialog (dialogs.js) instead of changing the text at once
export var commands = [
  { id: "paragraph", label: "Gewone tekst", key: "Mod-Alt-0", run: setBlockType(nodes.paragraph), active: function (s) { return blockIs(s, nodes.paragraph); } },
  { id: "h2", label: "Kop", key: "Mod-Alt-2", run: heading(2), active: function (s) { return blockIs(s, nodes.heading, { level: 2 }); } },
  { id: "h3", label: "Tussenkop", key: "Mod-Alt-3", run: heading(3), active: function (s) { return blockIs(s, nodes.heading, { level: 3 }); } },
  { id: "h4", label: "Kleine kop", key: "Mod-Alt-4", run: heading(4), active: function (s) { return blockIs(s, nodes.heading, { level: 4 }); } },
  { id: "bold", label: "Vet", key: "Mod-b", run: toggleMark(marks.strong), active: function (s) { return markActive(s, marks.strong); } },
  { id: "italic", label: "Cursief", key: "Mod-i", run: toggleMark(marks.em), active: function (s) { return markActive(s, marks.em); } },
  { id: "link", label: "Link", key: "Mod-k", dialog: "link", active: function (s) { return markActive(s, marks.link); } },
  { id: "bullets", label: "Opsomming", key: "Shift-Mod-8", run: list(nodes.bullet_list), active: function (s) { return inside(s, nodes.bullet_list); } },
  { id: "numbers", label: "Genummerde lijst", key: "Shift-Mod-7", run: list(nodes.ordered_list), active: function (s) { return inside(s, nodes.ordered_list); } },
  { id: "quote", label: "Citaat", key: "Shift-Mod-9", run: quote, active: function (s) { return inside(s, nodes.blockquote); } },
  { id: "button", label: "Knop", key: "Shift-Mod-k", dialog: "button" },
  { id: "image", label: "Afbeelding", key: "Shift-Mod-i", dialog: "image" },
  { id: "table", label: "Tabel", key: "Shift-Mod-t", run: table },
  { id: "row", label: "Rij erbij", key: "Mod-Alt-r", run: addRowAfter, enabled: canDo(addRowAfter) },
  { id: "column", label: "Kolom erbij", key: "Mod-Alt-c", run: addColumnAfter, enabled: canDo(addColumnAfter) },
  { id: "row-out", label: "Rij weg", key: "Shift-Mod-Alt-r", run: deleteRow, enabled: canDo(deleteRow) },
  { id: "column-out", label: "Kolom weg", key: "Shift-Mod-Alt-c", run: deleteColumn, enabled: canDo(deleteColumn) },
  { id: "rule", label: "Nieuw blok", key: "Shift-Mod-Enter", run: rule },
  { id: "undo", label: "Ongedaan maken", key: "Mod-z", run: undo, enabled: function (s) { return undoDepth(s) > 0; } },
  { id: "redo", label: "Opnieuw", key: "Mod-y", run: redo, enabled: function (s) { return redoDepth(s) > 0; } }
];

// the key as aria-keyshortcuts writes it ("Mod-Alt-2" → "Control+Alt+2")
export function ariaKey(key) {
  return key.split("-").map(function (part) {
    return { Mod: "Control", Shift: "Shift", Alt: "Alt" }[part] || (part.length === 1 ? part.toUpperCase() : part);
  }).join("+");
}
