// Clipboard HTML from Word, Outlook and Google Docs, made plain before ProseMirror reads it
// with the schema (which keeps headings, bold, italic, links, lists and tables and nothing
// else: fonts, colours and spans fall away there). Word writes its lists as paragraphs with
// `mso-list` styles and the bullet as text; those become real lists here. A table cell holds
// one line of text, so the paragraphs in a cell are joined.

function marker(p) {
  var ignore = p.querySelector("[style*='mso-list:Ignore'], [style*='mso-list: Ignore']");
  var text = ignore ? ignore.textContent : "";
  return { node: ignore, ordered: /^\s*[0-9a-zA-Z]{1,3}[.)]/.test(text) };
}

function level(p) {
  var m = /level(\d+)/.exec(p.getAttribute("style") || "");
  return m ? +m[1] : 1;
}

// Word's list number (l0, l1, …): two lists in a row are two lists
function listId(p) {
  var m = /mso-list:\s*(l\d+)/.exec(p.getAttribute("style") || "");
  return m ? m[1] : "";
}

function isWordItem(el) {
  return el.nodeType === 1 && el.tagName === "P" &&
    (/mso-list:\s*l\d/.test(el.getAttribute("style") || "") || /MsoListParagraph/.test(el.className));
}

function wordLists(doc) {
  var items = Array.prototype.slice.call(doc.querySelectorAll("p")).filter(isWordItem);
  var done = new Set();
  items.forEach(function (first) {
    if (done.has(first)) return;
    var run = [first], next = first.nextElementSibling;
    while (next && isWordItem(next) && listId(next) === listId(first)) { run.push(next); next = next.nextElementSibling; }
    var stack = [];
    var parent = first.parentNode, anchor = first;
    run.forEach(function (p) {
      done.add(p);
      var mark = marker(p), depth = level(p);
      if (mark.node) mark.node.remove();
      while (stack.length > depth) stack.pop();
      while (stack.length < depth) {
        var list = doc.createElement(mark.ordered ? "ol" : "ul");
        if (stack.length) {
          var items = stack[stack.length - 1].children;
          (items[items.length - 1] || stack[stack.length - 1]).appendChild(list);
        } else parent.insertBefore(list, anchor);
        stack.push(list);
      }
      var li = doc.createElement("li");
      var para = doc.createElement("p");
      while (p.firstChild) para.appendChild(p.firstChild);
      li.appendChild(para);
      stack[stack.length - 1].appendChild(li);
      p.remove();
    });
  });
}

function cells(doc) {
  doc.querySelectorAll("td, th").forEach(function (cell) {
    var blocks = cell.querySelectorAll("p, div, h1, h2, h3, h4, h5, h6, li");
    if (!blocks.length) return;
    var parts = [];
    blocks.forEach(function (b) { if (b.textContent.trim()) parts.push(b.innerHTML); });
    cell.innerHTML = parts.join(" ");
  });
  // a Markdown table has one header row: Word and Google Docs write the first row as cells
  doc.querySelectorAll("table").forEach(function (table) {
    var first = table.querySelector("tr");
    if (!first) return;
    first.querySelectorAll("td").forEach(function (td) {
      var th = doc.createElement("th");
      while (td.firstChild) th.appendChild(td.firstChild);
      td.replaceWith(th);
    });
  });
}

export function cleanPaste(html) {
  var doc = new DOMParser().parseFromString(html, "text/html");
  doc.querySelectorAll("style, meta, link, script, title, xml, o\\:p").forEach(function (el) { el.remove(); });
  wordLists(doc);
  cells(doc);
  // what the schema does not read anyway; gone here so nothing can carry it along
  doc.querySelectorAll("[style], [class], [color], [face], [lang]").forEach(function (el) {
    var style = el.getAttribute("style") || "";
    var bold = /font-weight:\s*(bold|[6-9]00)/.test(style) && el.tagName !== "B";
    var italic = /font-style:\s*italic/.test(style) && el.tagName !== "I";
    var align = /text-align:\s*(right|center)/.exec(style);
    ["style", "class", "color", "face", "lang"].forEach(function (name) { el.removeAttribute(name); });
    if (align && /^T[DH]$/.test(el.tagName)) el.setAttribute("style", "text-align:" + align[1]);
    if (el.tagName === "B" && /font-weight:\s*normal/.test(style)) {
      el.replaceWith.apply(el, Array.prototype.slice.call(el.childNodes));
      return;
    }
    if (bold || italic) {
      var wrap = el;
      if (bold) { var b = doc.createElement("strong"); while (wrap.firstChild) b.appendChild(wrap.firstChild); wrap.appendChild(b); wrap = b; }
      if (italic) { var i = doc.createElement("em"); while (wrap.firstChild) i.appendChild(wrap.firstChild); wrap.appendChild(i); }
    }
  });
  return doc.body.innerHTML;
}
