"""One Markdown style for every stored body, whichever way it came in (form, source view, CLI).

The style is the WYSIWYG editor's: this is a port of prosemirror-markdown's serializer with the
node and mark rules of frontend/editor/src/markdown.js, so that opening an edition in the
editor and saving it unchanged leaves its source byte-identical. A body the editor's schema
cannot hold, or whose canonical form would render differently, is kept as it is (`Result.ok`
False, with the reason in Dutch): it opens in the source view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from newsletter.rendering import mdwrite
from newsletter.rendering.frontmatter import compose, decompose, split
from newsletter.rendering.lines import without_noncharacters
from newsletter.rendering.markdown import build
from newsletter.rendering.mdtree import Node, Unsupported, tree
from newsletter.rendering.mdwrite import State, esc, render_inline


def _paragraph(state: State, node: Node, parent: Node, index: int) -> None:
    render_inline(state, node)
    state.closed = node


def _heading(state: State, node: Node, parent: Node, index: int) -> None:
    state.write("#" * int(node.attrs["level"]) + " ")  # type: ignore[call-overload]
    render_inline(state, node, False)
    state.closed = node


def _blockquote(state: State, node: Node, parent: Node, index: int) -> None:
    state.wrap_block("> ", None, node, lambda: state.render_content(node))


def _after_same(parent: Node, index: int, kind: str) -> bool:
    """Whether this list follows a list of its kind right away, which has the other marker
    (two lists with the same marker would be read as one): odd places get the second one."""
    count = 0
    while index - count > 0 and parent.content[index - count - 1].type == kind:
        count += 1
    return count % 2 == 1


def _bullet_list(state: State, node: Node, parent: Node, index: int) -> None:
    mark = "* " if _after_same(parent, index, "bullet_list") else "- "
    state.render_list(node, "  ", lambda i: mark)


def _ordered_list(state: State, node: Node, parent: Node, index: int) -> None:
    start = int(node.attrs.get("order") or 1)  # type: ignore[call-overload]
    width = len(str(start + len(node.content) - 1))
    dot = ") " if _after_same(parent, index, "ordered_list") else ". "
    state.render_list(node, " " * (width + 2), lambda i: str(start + i).rjust(width) + dot)


def _list_item(state: State, node: Node, parent: Node, index: int) -> None:
    state.render_content(node)


def _rule(state: State, node: Node, parent: Node, index: int) -> None:
    state.write("---")
    state.closed = node


def _image(state: State, node: Node, parent: Node, index: int) -> None:
    a = node.attrs
    link = mdwrite.url(str(a["src"])) + mdwrite.title(str(a.get("title") or ""))
    state.write(
        f"![{esc(str(a['alt']))}]({link})" + ("{.decoratief}" if a.get("decorative") else "")
    )
    state.closed = node


def _button(state: State, node: Node, parent: Node, index: int) -> None:
    label, href = esc(str(node.attrs["label"])), mdwrite.url(str(node.attrs["href"]))
    state.write(f"[{label}]({href}){{.button}}")
    state.closed = node


DELIMITER = {None: "---", "left": ":---", "right": "---:", "center": ":---:"}


def _table(state: State, node: Node, parent: Node, index: int) -> None:
    for number, row in enumerate(node.content):
        state.write("|")
        for cell in row.content:
            state.write(" ")
            render_inline(state, cell, False)
            state.write(" |")
        state.ensure_new_line()
        if number == 0:
            cells = " | ".join(DELIMITER[c.attrs.get("align")] for c in row.content)  # type: ignore[index]
            state.write(f"| {cells} |")
            state.ensure_new_line()
    state.closed = node


BLOCKS: dict[str, mdwrite.Block] = {
    "paragraph": _paragraph,
    "heading": _heading,
    "blockquote": _blockquote,
    "bullet_list": _bullet_list,
    "ordered_list": _ordered_list,
    "list_item": _list_item,
    "horizontal_rule": _rule,
    "image": _image,
    "button": _button,
    "table": _table,
    "text": mdwrite.text,
    "hard_break": mdwrite.hard_break,
}


def serialise(doc: Node) -> str:
    state = State(BLOCKS)
    state.render_content(doc)
    return state.out


CANNOT = (
    "Deze tekst gebruikt opmaak die de editor niet kan tonen ({why}). Je ziet hem daarom in "
    "de bronweergave; daar kun je hem gewoon bewerken."
)
WHY = {
    "fence": "een codeblok",
    "code_block": "een codeblok",
    "code_inline": "code in de tekst",
    "image": "een afbeelding midden in een zin",
    "h5": "een kop van niveau 5",
    "h6": "een kop van niveau 6",
    "hard_break": "een regelovergang in een kop of tabel",
    "list_start": "een lijst die meteen met een lijst begint",
}


@dataclass(frozen=True)
class Result:
    body: str
    ok: bool
    why: str = ""


def _same_mail(a: str, b: str) -> bool:
    """Same blocks, same HTML (but for the order in which bold, italic and a link nest: the
    editor keeps one order) and the same text part."""

    def seen(markdown: str) -> tuple[object, str]:
        doc = build(markdown, styled=False)
        blocks = [
            [(x.kind, _EMPHASIS.sub("", x.html), x.url, x.label) for x in s] for s in doc.sections
        ]
        return blocks, doc.text

    return seen(a) == seen(b)


_EMPHASIS = re.compile(r"</?(em|strong)>")


def body(markdown: str) -> Result:
    """The canonical form of a body (Markdown after the front matter), or the body unchanged
    with the reason in Dutch when the editor cannot hold it."""
    try:
        out = serialise(tree(markdown))
    except Unsupported as exc:
        return Result(markdown, False, CANNOT.format(why=WHY.get(str(exc), "onbekende opmaak")))
    out = out + "\n" if out else ""
    again = tree(out)
    if serialise(again) + "\n" != out or again != tree(markdown) or not _same_mail(markdown, out):
        return Result(markdown, False, CANNOT.format(why="de tekst zou er anders uitzien"))
    return Result(out, True)


def source(text: str) -> Result:
    """A whole source: the front matter as the form writes it (when the form can show it),
    a blank line, then the canonical body."""
    cleaned = without_noncharacters(text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff"))
    raw, markdown, _ = split(cleaned)
    found = body(markdown)
    if not found.ok:
        return Result(cleaned, False, found.why)  # line ends as everywhere: \n
    if raw is None:
        return Result(found.body, True)
    fields = decompose(cleaned)
    if fields is None:
        prefix = cleaned[: len(cleaned) - len(markdown)]
    else:
        prefix = compose(replace(fields, body=""))
    return Result(prefix + ("\n" if found.body else "") + found.body, True)
