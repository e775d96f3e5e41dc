"""Markdown → the editor's document tree: the same nodes and marks as the WYSIWYG editor's
ProseMirror schema (frontend/editor/src/schema.js), read with the renderer's own parser.

What the schema cannot hold (code, h5/h6, an image inside a sentence, …) raises Unsupported:
such a body is kept as it is and opens in the source view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.token import Token

from newsletter.rendering.markdown import inline_text, parser

#: a mark is (name, attributes); the order is the schema's, as ProseMirror sorts a mark set
RANK = {"em": 0, "strong": 1, "link": 2}
Mark = tuple[str, tuple[str, ...]]


class Unsupported(ValueError):
    """The body uses Markdown the editor's schema has no node for."""


@dataclass
class Node:
    type: str
    attrs: dict[str, object] = field(default_factory=dict)
    content: list[Node] = field(default_factory=list)
    text: str = ""
    marks: tuple[Mark, ...] = ()


_ALIGN = re.compile(r"text-align:(left|right|center)")
_MARKS = {"em_open": "em", "strong_open": "strong", "link_open": "link"}


def _inline(children: list[Token]) -> list[Node]:
    out: list[Node] = []
    active: list[Mark] = []
    for child in children:
        kind = child.type
        if kind in _MARKS:
            attrs = ()
            if kind == "link_open":
                attrs = (str(child.attrs.get("href", "")), str(child.attrs.get("title", "")))
            mark = (_MARKS[kind], attrs)
            if all(m[0] != mark[0] for m in active):
                active.append(mark)
                child.meta["pushed"] = True
            continue
        if kind in ("em_close", "strong_close", "link_close"):
            name = kind.removesuffix("_close")
            active[:] = [m for m in active if m[0] != name] if _opened(children, child) else active
            continue
        marks = tuple(sorted(active, key=lambda m: RANK[m[0]]))
        if kind == "text":
            if not child.content:
                continue
            if out and out[-1].type == "text" and out[-1].marks == marks:
                out[-1].text += child.content
            else:
                out.append(Node("text", text=child.content, marks=marks))
        elif kind in ("softbreak", "hardbreak"):
            out.append(Node("hard_break", marks=marks))
        else:
            raise Unsupported(kind)
    return out


def _opened(children: list[Token], close: Token) -> bool:
    """Whether the open token matching `close` added its mark (a nested em in em does not)."""
    depth = 0
    for token in reversed(children[: children.index(close)]):
        if token.type == close.type:
            depth += 1
        elif token.type == close.type.replace("_close", "_open"):
            if depth == 0:
                return bool(token.meta.get("pushed"))
            depth -= 1
    return True


def _parts(children: list[Token]) -> list[Token]:
    return [
        c
        for c in children
        if not (c.type == "text" and not c.content.strip())
        and c.type not in ("softbreak", "hardbreak")
    ]


def _paragraph(inline: Token) -> Node:
    children = inline.children or []
    parts = _parts(children)
    if len(parts) == 1 and parts[0].type == "image":
        image = parts[0]
        decorative = image.attrs.get("class") == "decoratief" and not image.content
        return Node(
            "image",
            {
                "src": str(image.attrs.get("src", "")),
                "alt": image.content,
                "title": str(image.attrs.get("title", "")),
                "decorative": decorative,
            },
        )
    if (
        len(parts) >= 3
        and parts[0].type == "link_open"
        and parts[0].attrs.get("class") == "button"
        and parts[-1].type == "link_close"
    ):
        return Node(
            "button",
            {"href": str(parts[0].attrs.get("href", "")), "label": inline_text(parts[1:-1])},
        )
    return Node("paragraph", content=_inline(children))


_BLOCKS = {
    "blockquote_open": "blockquote",
    "bullet_list_open": "bullet_list",
    "ordered_list_open": "ordered_list",
    "list_item_open": "list_item",
    "table_open": "table",
    "tr_open": "table_row",
    "th_open": "table_header",
    "td_open": "table_cell",
}


def tree(body: str) -> Node:
    """The document for `body`; raises Unsupported when the schema cannot hold it."""
    tokens = parser().parse(body)
    stack = [Node("doc")]
    for index, token in enumerate(tokens):
        kind = token.type
        top = stack[-1]
        if kind in _BLOCKS:
            node = Node(_BLOCKS[kind])
            if kind in ("bullet_list_open", "ordered_list_open"):
                node.attrs["tight"] = _tight(tokens, index)
            if kind == "ordered_list_open":
                node.attrs["order"] = int(token.attrs.get("start", 1))
            if kind in ("th_open", "td_open"):
                found = _ALIGN.search(str(token.attrs.get("style", "")))
                node.attrs["align"] = found.group(1) if found else None
            top.content.append(node)
            stack.append(node)
        elif kind.endswith("_close") and kind.replace("_close", "_open") in _BLOCKS:
            _fill(stack.pop())
        elif kind in ("thead_open", "thead_close", "tbody_open", "tbody_close"):
            continue
        elif kind == "heading_open":
            level = max(2, int(token.tag[1]))
            if level > 4:
                raise Unsupported(token.tag)
            node = Node("heading", {"level": level}, _inline(tokens[index + 1].children or []))
            _no_breaks(node)
            top.content.append(node)
        elif kind == "paragraph_open":
            node = _paragraph(tokens[index + 1])
            if top.type in ("table_cell", "table_header"):
                _no_breaks(node)
            top.content.append(node)
        elif kind == "inline" and top.type in ("table_cell", "table_header"):
            node = Node("paragraph", content=_inline(token.children or []))
            _no_breaks(node)
            top.content.extend(node.content)
        elif kind == "hr":
            top.content.append(Node("horizontal_rule"))
        elif kind not in ("inline", "heading_close", "paragraph_close"):
            raise Unsupported(kind)
    return stack[0]


def _fill(node: Node) -> None:
    """As ProseMirror fills what may not be empty; an item must start with a paragraph."""
    if node.type in ("list_item", "blockquote") and not node.content:
        node.content.append(Node("paragraph"))
    if node.type == "list_item" and node.content[0].type != "paragraph":
        raise Unsupported("list_start")


def _no_breaks(node: Node) -> None:
    if any(child.type == "hard_break" for child in node.content):
        raise Unsupported("hard_break")


def _tight(tokens: list[Token], index: int) -> bool:
    """As prosemirror-markdown's listIsTight: the first token inside the first item is hidden."""
    for token in tokens[index + 1 :]:
        if token.type != "list_item_open":
            return token.hidden
    return False
