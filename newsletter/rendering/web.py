"""The archive's web version of an edition: the mail's text as a page fragment (an <article>)
for the site's own layout. A page, not a mail: no layout tables, no inline styles; the site's
style sheet and landmarks (<main>) do that work."""

from __future__ import annotations

from markupsafe import Markup

from newsletter.rendering.markdown import Document, attr, build
from newsletter.rendering.mjml import environment


def render_web(body: str, first_line: int, own_media: str, context: dict[str, object]) -> str:
    """`context` is the mail's (subject, date, agenda, shares, sign-up link); the sections are
    rendered again from `body` without the mail's styles."""
    try:
        document = build(body, first_line, own_media, styled=False)
    except RecursionError:  # the mail's render reported it; the page shows no text either
        document = Document(sections=[], text="")
    for section in document.sections:
        for block in section:
            block.label = attr(block.label)
            block.html = Markup(block.html)  # markdown-it output, raw HTML off  # noqa: S704
    values = {**context, "sections": document.sections}
    return environment().get_template("edition.html").render(values)
