"""The writing half of the canonical Markdown style (canonical.py): a port of
prosemirror-markdown's MarkdownSerializerState (to_markdown.ts), its inline rendering (marks,
breaks, autolinks) and our escaping, kept close to the original so both sides write the same
bytes."""

from __future__ import annotations

import re
from collections.abc import Callable

from newsletter.rendering.mdtree import Mark, Node

_ALWAYS = re.compile(r"[`*\\~\[\]{|]|_|<(?=[A-Za-z])|&(?=#?[A-Za-z0-9]+;)")
_LINE_START = re.compile(r"^([-+>=#])|^(\d{1,9})([.)])(?=\s|$)")


def esc(text: str, line_start: bool = False) -> str:
    """Backslashes before what Markdown would read as syntax (the same rule as the editor's)."""

    def one(match: re.Match[str]) -> str:
        char, i = match.group(0), match.start()
        if char == "_" and 0 < i < len(text) - 1 and _word(text[i - 1]) and _word(text[i + 1]):
            return char
        return "\\" + char

    out = _ALWAYS.sub(one, text)
    if line_start:
        out = _LINE_START.sub(
            lambda m: f"\\{m.group(1)}" if m.group(1) else rf"{m.group(2)}\{m.group(3)}", out
        )
    return out


def _word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


Block = Callable[["State", Node, Node, int], None]


class State:
    """prosemirror-markdown's MarkdownSerializerState, for the nodes of our schema."""

    def __init__(self, blocks: dict[str, Block]) -> None:
        self.blocks = blocks
        self.delim = ""
        self.out = ""
        self.closed: Node | None = None
        self.in_autolink = False
        self.at_block_start = False
        self.in_tight_list = False

    def flush_close(self, size: int = 2) -> None:
        if self.closed is not None:
            if not self.at_blank():
                self.out += "\n"
            if size > 1:
                delim_min = self.delim.rstrip()
                for _ in range(1, size):
                    self.out += delim_min + "\n"
            self.closed = None

    def at_blank(self) -> bool:
        return self.out == "" or self.out.endswith("\n")

    def ensure_new_line(self) -> None:
        if not self.at_blank():
            self.out += "\n"

    def write(self, content: str = "") -> None:
        self.flush_close()
        if self.delim and self.at_blank():
            self.out += self.delim
        self.out += content

    def text(self, text: str) -> None:
        """Write text as it is (escaping is done by the caller)."""
        lines = text.split("\n")
        for i, line in enumerate(lines):
            self.write()
            if line.startswith("[") and re.search(r"(^|[^\\])!$", self.out):
                self.out = self.out[:-1] + "\\!"  # "!" before a link would make it an image
            self.out += line
            if i != len(lines) - 1:
                self.out += "\n"

    def wrap_block(self, delim: str, first: str | None, node: Node, f: Callable[[], None]) -> None:
        old = self.delim
        self.write(first if first is not None else delim)
        self.delim += delim
        f()
        self.delim = old
        self.closed = node

    def render_content(self, parent: Node) -> None:
        for index, node in enumerate(parent.content):
            self.blocks[node.type](self, node, parent, index)

    def render_list(self, node: Node, delim: str, first: Callable[[int], str]) -> None:
        if self.closed is not None and self.closed.type == node.type:
            self.flush_close(3)
        elif self.in_tight_list:
            self.flush_close(1)
        tight = bool(node.attrs.get("tight"))
        previous = self.in_tight_list
        self.in_tight_list = tight
        for i, child in enumerate(node.content):
            if i and tight:
                self.flush_close(1)
            self.wrap_block(delim, first(i), node, lambda c=child: self.render_content(c))
        self.in_tight_list = previous


EXPEL = ("em", "strong")


def url(url: str) -> str:
    return re.sub(r'[()"]', lambda m: "\\" + m.group(0), url)


def title(title: str) -> str:
    return ' "' + title.replace('"', '\\"') + '"' if title else ""


def _plain_url(link: Mark, parent: Node, index: int) -> bool:
    href, title = link[1]
    if title or not re.match(r"[A-Za-z0-9_]+:", href):
        return False
    content = parent.content[index]
    if content.type != "text" or content.text != href or content.marks[-1] != link:
        return False
    return index == len(parent.content) - 1 or link not in parent.content[index + 1].marks


def _mark_string(state: State, mark: Mark, opening: bool, parent: Node, index: int) -> str:
    if mark[0] != "link":
        return "*" if mark[0] == "em" else "**"
    if opening:
        state.in_autolink = _plain_url(mark, parent, index)
        return "<" if state.in_autolink else "["
    auto, state.in_autolink = state.in_autolink, False
    return ">" if auto else "](" + url(mark[1][0]) + title(mark[1][1]) + ")"


def _with_text(node: Node, text: str) -> Node:
    return Node("text", text=text, marks=node.marks)


def _reorder(marks: list[Mark], active: list[Mark]) -> list[Mark]:
    """Mixable marks (all of ours) reopen in the order they are already open."""
    for i in range(len(marks)):
        mark = marks[i]
        for j, other in enumerate(active):
            if mark == other:
                if i > j:
                    marks = [*marks[:j], mark, *marks[j:i], *marks[i + 1 :]]
                elif j > i:
                    marks = [*marks[:i], *marks[i + 1 : j], mark, *marks[j:]]
                break
    return marks


def _expel(
    node: Node, marks: list[Mark], active: list[Mark], children: list[Node], index: int
) -> tuple[Node | None, list[Mark], str, str]:
    """Whitespace at the edges of bold or italic moves outside the marks (CommonMark does not
    allow `** a**`): (node or None, marks, leading, trailing)."""
    found: Node | None = node
    leading = trailing = ""
    if any(m[0] in EXPEL and m not in active for m in marks):
        found, marks, leading = _peel(node, _LEADING, marks, active)
    last = index == len(children) - 1
    if found is not None and any(
        m[0] in EXPEL and (last or m not in children[index + 1].marks) for m in marks
    ):
        found, marks, trailing = _peel(found, _TRAILING, marks, active)
    return found, marks, leading, trailing


_LEADING = re.compile(r"(?P<space>\s*)(?P<rest>.*)", re.S)
_TRAILING = re.compile(r"(?P<rest>.*?)(?P<space>\s*)$", re.S)


def _peel(
    node: Node, edge: re.Pattern[str], marks: list[Mark], active: list[Mark]
) -> tuple[Node | None, list[Mark], str]:
    """The whitespace at one edge of the node's text taken off: (the node with the rest, or
    None when nothing is left and then the marks are the active ones; marks; the whitespace)."""
    match = edge.match(node.text)
    assert match is not None  # both patterns match any text
    space, rest = match["space"], match["rest"]
    if not space:
        return node, marks, ""
    if not rest:
        return None, list(active), space
    return _with_text(node, rest), marks, space


def render_inline(state: State, parent: Node, from_block_start: bool = True) -> None:
    state.at_block_start = from_block_start
    active: list[Mark] = []
    trailing = ""
    children = parent.content

    def progress(node: Node | None, index: int) -> None:
        nonlocal trailing
        marks = list(node.marks) if node else []
        if node is not None and node.type == "hard_break":
            nxt = children[index + 1] if index + 1 < len(children) else None
            marks = [
                m
                for m in marks
                if nxt is not None
                and m in nxt.marks
                and (nxt.type != "text" or re.search(r"\S", nxt.text))
            ]
        leading, trailing = trailing, ""
        if node is not None and node.type == "text":
            node, marks, lead, trailing = _expel(node, marks, active, children, index)
            leading += lead
        marks = _reorder(marks, active)
        keep = 0
        while keep < min(len(active), len(marks)) and marks[keep] == active[keep]:
            keep += 1
        while keep < len(active):
            state.text(_mark_string(state, active.pop(), False, parent, index))
        if leading:
            state.text(leading)
        if node is not None:
            while len(active) < len(marks):
                add = marks[len(active)]
                active.append(add)
                state.text(_mark_string(state, add, True, parent, index))
                state.at_block_start = False
            state.blocks[node.type](state, node, parent, index)
            state.at_block_start = False

    for index, node in enumerate(children):
        progress(node, index)
    progress(None, len(children))
    state.at_block_start = False


def text(state: State, node: Node, parent: Node, index: int) -> None:
    if state.in_autolink:
        state.text(node.text)
        return
    line_start = state.at_block_start or state.out.endswith("\n")
    state.text(esc(node.text, line_start))


def hard_break(state: State, node: Node, parent: Node, index: int) -> None:
    """A line break is a plain new line (the renderer reads Markdown with breaks on); of two
    in a row, and at the end, none is written."""
    nxt = parent.content[index + 1] if index + 1 < len(parent.content) else None
    if nxt is not None and nxt.type != "hard_break":
        state.write("\n")
