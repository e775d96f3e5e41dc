// Markdown ⇄ the editor's document. Reading: markdown-it as the server reads it (CommonMark,
// tables, raw HTML off, a line break is a break). Writing: prosemirror-markdown's serializer
// with the rules of the server's canonical form (newsletter/rendering/canonical.py and
// mdwrite.py); the two must give the same bytes, and the browser tests check that they do.
import MarkdownIt from "markdown-it";
import { MarkdownParser, MarkdownSerializer, defaultMarkdownSerializer } from "prosemirror-markdown";
import { schema } from "./schema.js";

var md = MarkdownIt("commonmark", { html: false, breaks: true }).enable("table");

function isBlank(token) {
  return (token.type === "text" && !token.content.trim()) || token.type === "softbreak" || token.type === "hardbreak";
}

// The renderer's special paragraphs (newsletter/rendering/markdown.py build): an image alone
// is an image block; a link with {.button} alone is a button. The server reads `{…}` with
// markdown-it-attrs; here only these two forms exist (any other brace is escaped).
md.core.ruler.push("ravijn_blocks", function (state) {
  var tokens = state.tokens;
  for (var i = 0; i < tokens.length; i++) {
    if (tokens[i].type !== "paragraph_open" || tokens[i].level !== tokens[i + 1].level - 1) continue;
    var parts = (tokens[i + 1].children || []).filter(function (t) { return !isBlank(t); });
    var block = null;
    if (parts.length === 1 && parts[0].type === "image") {
      block = new state.Token("image_block", "", 0);
      block.meta = { src: parts[0].attrGet("src"), alt: parts[0].content, title: parts[0].attrGet("title"), decorative: false };
    } else if (parts.length === 2 && parts[0].type === "image" && !parts[0].content && parts[1].type === "text" && parts[1].content === "{.decoratief}") {
      block = new state.Token("image_block", "", 0);
      block.meta = { src: parts[0].attrGet("src"), alt: "", title: parts[0].attrGet("title"), decorative: true };
    } else if (parts.length >= 4 && parts[0].type === "link_open" && parts[parts.length - 2].type === "link_close" &&
               parts[parts.length - 1].type === "text" && parts[parts.length - 1].content.indexOf("{.button}") === 0 &&
               !parts[parts.length - 1].content.slice(9).trim()) {
      var label = parts.slice(1, -2).map(function (t) {
        return t.type === "text" || t.type === "code_inline" ? t.content : "";
      }).join("");
      block = new state.Token("button", "", 0);
      block.meta = { href: parts[0].attrGet("href"), label: label };
    }
    if (block) {
      block.level = tokens[i].level;
      block.map = tokens[i].map;  // its lines, for a problem's place in the text
      tokens.splice(i, 3, block);
    }
  }
});

function listIsTight(tokens, i) {
  while (++i < tokens.length) if (tokens[i].type !== "list_item_open") return tokens[i].hidden;
  return false;
}

function cellAlign(tok) {
  var m = /text-align:(left|right|center)/.exec(tok.attrGet("style") || "");
  return { align: m ? m[1] : null };
}

export var parser = new MarkdownParser(schema, md, {
  blockquote: { block: "blockquote" },
  paragraph: { block: "paragraph" },
  list_item: { block: "list_item" },
  bullet_list: { block: "bullet_list", getAttrs: function (_, t, i) { return { tight: listIsTight(t, i) }; } },
  ordered_list: {
    block: "ordered_list",
    getAttrs: function (tok, t, i) { return { order: +tok.attrGet("start") || 1, tight: listIsTight(t, i) }; }
  },
  heading: {
    block: "heading",
    getAttrs: function (tok) {
      var level = Math.max(2, +tok.tag.slice(1));
      if (level > 4) throw new Error("een kop van niveau " + level);
      return { level: level };
    }
  },
  hr: { node: "horizontal_rule" },
  image_block: { node: "image", getAttrs: function (tok) { return tok.meta; } },
  button: { node: "button", getAttrs: function (tok) { return tok.meta; } },
  hardbreak: { node: "hard_break" },
  softbreak: { node: "hard_break" },
  em: { mark: "em" },
  strong: { mark: "strong" },
  link: {
    mark: "link",
    getAttrs: function (tok) { return { href: tok.attrGet("href"), title: tok.attrGet("title") || null }; }
  },
  table: { block: "table" },
  thead: { ignore: true },
  tbody: { ignore: true },
  tr: { block: "table_row" },
  th: { block: "table_header", getAttrs: cellAlign },
  td: { block: "table_cell", getAttrs: cellAlign }
});

// ---- writing -------------------------------------------------------------------------------
var ALWAYS = /[`*\\~\[\]{|]|_|<(?=[A-Za-z])|&(?=#?[A-Za-z0-9]+;)/g;
var LINE_START = /^([-+>=#])|^(\d{1,9})([.)])(?=\s|$)/;

export function esc(text, lineStart) {
  var out = text.replace(ALWAYS, function (ch, i) {
    return ch === "_" && i > 0 && i + 1 < text.length && /\w/.test(text[i - 1]) && /\w/.test(text[i + 1]) ? ch : "\\" + ch;
  });
  if (lineStart) {
    out = out.replace(LINE_START, function (m, sign, digits, dot) { return sign ? "\\" + sign : digits + "\\" + dot; });
  }
  return out;
}

function url(value) { return value.replace(/[\(\)"]/g, "\\$&"); }
function title(value) { return value ? ' "' + value.replace(/"/g, '\\"') + '"' : ""; }
var DELIMITER = { left: ":---", right: "---:", center: ":---:" };

// two lists of a kind in a row would be read as one: odd places take the other marker
function afterSame(parent, index, type) {
  var count = 0;
  while (index - count > 0 && parent.child(index - count - 1).type === type) count++;
  return count % 2 === 1;
}

var nodes = {
  paragraph: defaultMarkdownSerializer.nodes.paragraph,
  heading: defaultMarkdownSerializer.nodes.heading,
  blockquote: defaultMarkdownSerializer.nodes.blockquote,
  list_item: defaultMarkdownSerializer.nodes.list_item,
  bullet_list: function (state, node, parent, index) {
    var mark = afterSame(parent, index, node.type) ? "* " : "- ";
    state.renderList(node, "  ", function () { return mark; });
  },
  ordered_list: function (state, node, parent, index) {
    var start = node.attrs.order || 1, width = String(start + node.childCount - 1).length;
    var dot = afterSame(parent, index, node.type) ? ") " : ". ";
    state.renderList(node, state.repeat(" ", width + 2), function (i) {
      var n = String(start + i);
      return state.repeat(" ", width - n.length) + n + dot;
    });
  },
  horizontal_rule: function (state, node) { state.write("---"); state.closeBlock(node); },
  image: function (state, node) {
    var a = node.attrs;
    state.write("![" + esc(a.alt || "") + "](" + url(a.src) + title(a.title) + ")" + (a.decorative ? "{.decoratief}" : ""));
    state.closeBlock(node);
  },
  button: function (state, node) {
    state.write("[" + esc(node.attrs.label) + "](" + url(node.attrs.href) + "){.button}");
    state.closeBlock(node);
  },
  table: function (state, node) {
    node.forEach(function (row, _, number) {
      state.write("|");
      row.forEach(function (cell) {
        state.write(" ");
        state.renderInline(cell, false);
        state.write(" |");
      });
      state.ensureNewLine();
      if (number === 0) {
        var cells = [];
        row.forEach(function (cell) { cells.push(DELIMITER[cell.attrs.align] || "---"); });
        state.write("| " + cells.join(" | ") + " |");
        state.ensureNewLine();
      }
    });
    state.closeBlock(node);
  },
  // a line break is a plain new line (the renderer reads Markdown with breaks on); of two in a
  // row, and at the end, none is written
  hard_break: function (state, node, parent, index) {
    var next = index + 1 < parent.childCount ? parent.child(index + 1) : null;
    if (next && next.type !== node.type) state.write("\n");
  },
  text: function (state, node) {
    if (state.inAutolink) { state.text(node.text, false); return; }
    var lineStart = state.atBlockStart || /\n$/.test(state.out);
    state.text(esc(node.text, lineStart), false);
  }
};

export var serializer = new MarkdownSerializer(nodes, defaultMarkdownSerializer.marks);

export function toMarkdown(doc) {
  var out = serializer.serialize(doc);
  return out ? out + "\n" : "";
}
