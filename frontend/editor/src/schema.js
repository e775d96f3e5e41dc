// The editor's document: exactly what the mail renderer supports (newsletter/rendering/), and
// the same nodes as the server's canonical form (newsletter/rendering/mdtree.py).
import { Schema } from "prosemirror-model";
import { tableNodes } from "prosemirror-tables";

function align(dom) {
  var value = (dom.style && dom.style.textAlign) || dom.getAttribute("align") || "";
  return value === "right" || value === "center" || value === "left" ? value : null;
}

var tables = tableNodes({
  tableGroup: "block",
  // a cell holds one line of text (Markdown tables have no line breaks or blocks in cells)
  cellContent: "text*",
  cellAttributes: {
    align: {
      default: null,
      getFromDOM: align,
      setDOMAttr: function (value, attrs) { if (value) attrs.style = "text-align:" + value; }
    }
  }
});

// pasted bold that is not bold: Google Docs wraps everything in <b style="font-weight:normal">
function weight(value) { return /^(bold(er)?|[5-9]\d{2})$/.test(value) && null; }

export var schema = new Schema({
  nodes: {
    doc: { content: "block+" },
    paragraph: {
      content: "inline*", group: "block",
      parseDOM: [{ tag: "p" }],
      toDOM: function () { return ["p", 0]; }
    },
    heading: {
      attrs: { level: { default: 2 } }, content: "text*", group: "block", defining: true,
      parseDOM: [
        { tag: "h1", attrs: { level: 2 } }, { tag: "h2", attrs: { level: 2 } },
        { tag: "h3", attrs: { level: 3 } }, { tag: "h4", attrs: { level: 4 } },
        { tag: "h5", attrs: { level: 4 } }, { tag: "h6", attrs: { level: 4 } }
      ],
      toDOM: function (node) { return ["h" + node.attrs.level, 0]; }
    },
    blockquote: {
      content: "block+", group: "block", defining: true,
      parseDOM: [{ tag: "blockquote" }],
      toDOM: function () { return ["blockquote", 0]; }
    },
    horizontal_rule: {
      group: "block",
      parseDOM: [{ tag: "hr" }],
      toDOM: function () { return ["div", { class: "pm-section-break", role: "separator", "aria-label": "Nieuw blok in de mail" }, ["hr"]]; }
    },
    bullet_list: {
      content: "list_item+", group: "block", attrs: { tight: { default: true } },
      parseDOM: [{ tag: "ul" }],
      toDOM: function () { return ["ul", 0]; }
    },
    ordered_list: {
      content: "list_item+", group: "block",
      attrs: { order: { default: 1 }, tight: { default: true } },
      parseDOM: [{
        tag: "ol",
        getAttrs: function (dom) { return { order: dom.hasAttribute("start") ? +dom.getAttribute("start") || 1 : 1 }; }
      }],
      toDOM: function (node) {
        return ["ol", node.attrs.order === 1 ? {} : { start: node.attrs.order }, 0];
      }
    },
    list_item: {
      content: "paragraph block*", defining: true,
      parseDOM: [{ tag: "li" }],
      toDOM: function () { return ["li", 0]; }
    },
    image: {
      group: "block", atom: true, draggable: true,
      attrs: { src: {}, alt: { default: "" }, title: { default: null }, decorative: { default: false } },
      parseDOM: [{
        tag: "img[src]",
        getAttrs: function (dom) {
          return { src: dom.getAttribute("src"), alt: dom.getAttribute("alt") || "", title: dom.getAttribute("title") };
        }
      }],
      toDOM: function (node) {
        var a = node.attrs;
        return ["figure", { class: "pm-image" },
          ["img", { src: a.src, alt: a.decorative ? "" : a.alt }],
          ["figcaption", a.decorative ? "Decoratief (geen beschrijving)" : (a.alt ? "Beschrijving: " + a.alt : "Nog geen beschrijving")]];
      }
    },
    button: {
      group: "block", atom: true,
      attrs: { href: {}, label: {} },
      parseDOM: [{
        tag: "a.button[href]", priority: 60,
        getAttrs: function (dom) { return { href: dom.getAttribute("href"), label: dom.textContent.trim() }; }
      }],
      toDOM: function (node) {
        return ["p", { class: "pm-button" },
          ["span", { class: "pm-button-label" }, node.attrs.label],
          ["span", { class: "pm-button-url" }, " → " + node.attrs.href]];
      }
    },
    table: tables.table,
    table_row: tables.table_row,
    table_cell: tables.table_cell,
    table_header: tables.table_header,
    text: { group: "inline" },
    hard_break: {
      inline: true, group: "inline", selectable: false,
      parseDOM: [{ tag: "br" }],
      toDOM: function () { return ["br"]; }
    }
  },
  marks: {
    em: {
      parseDOM: [{ tag: "i" }, { tag: "em" }, { style: "font-style=italic" }],
      toDOM: function () { return ["em", 0]; }
    },
    strong: {
      parseDOM: [
        { tag: "strong" },
        { tag: "b", getAttrs: function (dom) { return dom.style.fontWeight === "normal" ? false : null; } },
        { style: "font-weight", getAttrs: weight }
      ],
      toDOM: function () { return ["strong", 0]; }
    },
    link: {
      attrs: { href: {}, title: { default: null } }, inclusive: false,
      parseDOM: [{
        tag: "a[href]",
        getAttrs: function (dom) { return { href: dom.getAttribute("href"), title: dom.getAttribute("title") }; }
      }],
      toDOM: function (mark) { return ["a", { href: mark.attrs.href, title: mark.attrs.title }, 0]; }
    }
  }
});
