"""A Markdown table in mail that reads on a phone of 320 px without scrolling sideways.

Each data cell starts with its column's header as a hidden label. Where the mail's <style> is
read (base.mjml, narrow screens), the rows stack: one block per row, one line per cell,
"Jaar: 2026". Elsewhere the table stays a table whose cells wrap between words.
"""

from __future__ import annotations

from markdown_it.token import Token
from markupsafe import escape

from newsletter.rendering.lines import one_line

#: the class that base.mjml's phone rule stacks; the label shows only there
STACK_CLASS = "stack"
LABEL = '<span class="cell-label" style="display:none;mso-hide:all;">{}: </span>'


def _text(inline: Token) -> str:
    parts = (c.content for c in inline.children or [] if c.type in ("text", "code_inline"))
    return one_line("".join(parts))


def label_cells(tokens: list[Token]) -> None:
    """Mark each table for stacking and give each data cell its header's label."""
    headers: list[str] = []
    column = 0
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            token.attrSet("class", STACK_CLASS)
            headers = []
        elif token.type == "th_open":
            headers.append(_text(tokens[index + 1]))
        elif token.type == "tr_open":
            column = 0
        elif token.type == "td_open":
            header = headers[column] if column < len(headers) else ""
            column += 1
            inline = tokens[index + 1]
            if header and inline.type == "inline":
                label = Token("html_inline", "", 0)
                label.content = LABEL.format(escape(header))
                inline.children = [label, *(inline.children or [])]
