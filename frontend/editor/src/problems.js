// The checks' problems at their place in the text: each block a problem is about gets a mark
// (a dashed outline and a label "Fout" or "Let op" before it, so not colour alone), the
// problem's text as its title, and aria-describedby to the problem in the list "Controle".
// The list (workspace.js) hands the problems over after each save; between saves the marks
// move with the text.
import { NodeSelection, Plugin, PluginKey, TextSelection } from "prosemirror-state";
import { Decoration, DecorationSet } from "prosemirror-view";
import { parser, toMarkdown } from "./markdown.js";

var key = new PluginKey("ravijn-problems");

export var problemsPlugin = new Plugin({
  key: key,
  state: {
    init: function () { return DecorationSet.empty; },
    apply: function (tr, set) {
      var fresh = tr.getMeta(key);
      return fresh || set.map(tr.mapping, tr.doc);
    }
  },
  props: { decorations: function (state) { return key.getState(state); } }
});

// where each top-level block starts: [{ line, pos, node }] (line: 1 = the body's first)
function blocks(doc) {
  var tokens = parser.tokenizer.parse(toMarkdown(doc), {}), found = [], pos = 0, index = 0;
  tokens.forEach(function (token) {
    if (token.level !== 0 || token.nesting === -1 || index >= doc.childCount) return;
    var node = doc.child(index++);
    found.push({ line: token.map ? token.map[0] + 1 : 0, pos: pos, node: node });
    pos += node.nodeSize;
  });
  return found;
}

// a line of the body → the top-level block it is in: { pos, node }
function blockAt(starts, line) {
  var at = starts[0];
  starts.forEach(function (start) { if (start.line && start.line <= line) at = start; });
  return at;
}

export function focusLine(view, line) {
  var doc = view.state.doc, found = blockAt(blocks(doc), line);
  var sel = found.node.isAtom ? NodeSelection.create(doc, found.pos)
    : TextSelection.near(doc.resolve(Math.min(found.pos + 1, doc.content.size)));
  view.dispatch(view.state.tr.setSelection(sel).scrollIntoView());
  view.focus();
}

// items: [{ line, level: "error" | "warning", text, id }] (id: the problem's element in the list)
export function markProblems(view, items) {
  var doc = view.state.doc, starts = blocks(doc), marked = {};
  items.forEach(function (item) {
    if (!(item.line >= 1) || !starts.length) return;
    var found = blockAt(starts, item.line), block = marked[found.pos];
    if (!block) block = marked[found.pos] = { pos: found.pos, node: found.node, error: false, ids: [], texts: [] };
    block.error = block.error || item.level === "error";
    if (item.id) block.ids.push(item.id);
    block.texts.push(item.text);
  });
  var decorations = Object.keys(marked).map(function (pos) {
    var b = marked[pos];
    var attrs = {
      class: "problem-mark " + (b.error ? "problem-mark-error" : "problem-mark-warning"),
      title: b.texts.join("\n")
    };
    if (b.ids.length) attrs["aria-describedby"] = b.ids.join(" ");
    return Decoration.node(b.pos, b.pos + b.node.nodeSize, attrs);
  });
  view.dispatch(view.state.tr.setMeta(key, DecorationSet.create(doc, decorations)).setMeta("addToHistory", false));
}
