// The checks' problems at their place in the text: each block a problem is about gets a mark
// (a dashed outline and a label "Fout" or "Let op" before it, so not colour alone), the
// problem's text as its title, and aria-describedby to the problem in the list "Controle".
// The list (workspace.js) hands the problems over after each save; between saves the marks
// move with the text.
import { Plugin, PluginKey, TextSelection } from "prosemirror-state";
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

// a line of the body (1 = its first) → the top-level block it is in: { pos, node }
export function blockAt(doc, line) {
  var tokens = parser.tokenizer.parse(toMarkdown(doc), {});
  var index = -1, target = 0;
  tokens.forEach(function (token) {
    if (token.level !== 0 || token.nesting === -1 || !token.map) return;
    index++;
    if (token.map[0] <= line - 1) target = index;
  });
  target = Math.min(target, doc.childCount - 1);
  var pos = 0;
  for (var i = 0; i < target; i++) pos += doc.child(i).nodeSize;
  return { pos: pos, node: doc.child(target) };
}

export function focusLine(view, line) {
  var found = blockAt(view.state.doc, line), doc = view.state.doc;
  var sel = TextSelection.near(doc.resolve(Math.min(found.pos + 1, doc.content.size)));
  view.dispatch(view.state.tr.setSelection(sel).scrollIntoView());
  view.focus();
}

// items: [{ line, level: "error" | "warning", text, id }] (id: the problem's element in the list)
export function markProblems(view, items) {
  var doc = view.state.doc, blocks = {};
  items.forEach(function (item) {
    if (!(item.line >= 1) || !doc.childCount) return;
    var found = blockAt(doc, item.line), block = blocks[found.pos];
    if (!block) block = blocks[found.pos] = { pos: found.pos, node: found.node, error: false, ids: [], texts: [] };
    block.error = block.error || item.level === "error";
    if (item.id) block.ids.push(item.id);
    block.texts.push(item.text);
  });
  var decorations = Object.keys(blocks).map(function (pos) {
    var b = blocks[pos];
    var attrs = {
      class: "problem-mark " + (b.error ? "problem-mark-error" : "problem-mark-warning"),
      title: b.texts.join("\n")
    };
    if (b.ids.length) attrs["aria-describedby"] = b.ids.join(" ");
    return Decoration.node(b.pos, b.pos + b.node.nodeSize, attrs);
  });
  view.dispatch(view.state.tr.setMeta(key, DecorationSet.create(doc, decorations)).setMeta("addToHistory", false));
}
