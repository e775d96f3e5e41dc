"""Email templates: Jinja (always autoescaped) fills MJML, mjml-python turns it into HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import jinja2
from mjml import mjml2html

from newsletter.rendering.markers import Markers

_PACKAGE = Path(__file__).resolve().parent.parent


def _email_templates() -> Path:
    """In a built wheel the templates ship inside the package; in a checkout they sit at the
    top of the repository (the agreed layout), next to the package."""
    installed = _PACKAGE / "templates" / "emails"
    return installed if installed.is_dir() else _PACKAGE.parent / "templates" / "emails"


EMAIL_TEMPLATES = _email_templates()


class RenderError(RuntimeError):
    """The MJML did not compile; the message lists mjml's complaints."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


@cache
def environment(template_dir: Path = EMAIL_TEMPLATES) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("mjml", "html"),
            disabled_extensions=("txt",),
            default_for_string=True,
            default=True,
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


#: what MJML writes and HTML has not: `vertical-align` as an attribute (valign is HTML's
#: own, and what mail clients read) and `height="auto"` on an image (its style says it);
#: and what mail clients ignore
_MJML_ONLY = (
    (re.compile(r'(<td\b[^>]*?) vertical-align="([a-z]*)"'), r'\1 valign="\2"'),
    (re.compile(r'(<img\b[^>]*?) height="auto"'), r"\1"),
    # on mj-button: no mail client shows a pointer or honours target (caniemail: unsupported)
    (re.compile(r"cursor:auto;"), ""),
    (re.compile(r' target="_blank"'), ""),
)


#: declared, so that clients which darken mail know we have our own dark colours (base.mjml)
COLOR_SCHEME = (
    '<meta name="color-scheme" content="light dark">'
    '<meta name="supported-color-schemes" content="light dark">'
)
FONT = "font-family:Arial, Helvetica, sans-serif;"
TEXT_COLOUR = "color:#1a1a1a;"
#: a client that darkens mail recolours inline colours only; and Outlook reads no <style> for links
LINK_STYLE = 'style="color:#00597a;"'
_HEADING = re.compile(r'<h([1-4]) style="([^"]*)"')
_UNSTYLED_LINK = re.compile(r"<a\b(?![^>]*\bstyle=)")


def _heading(match: re.Match[str]) -> str:
    """Word's engine draws a heading in its own font and colour unless the tag says otherwise."""
    style = match.group(2)
    style = style if "font-family" in style else FONT + style
    style = style if re.search(r"(^|;)color:", style) else style + TEXT_COLOUR
    return f'<h{match.group(1)} style="{style}"'


def compile_mjml(source: str) -> str:
    """MJML → HTML with mjml-python (MRML, the Rust port): a broken template raises."""
    try:
        html = mjml2html(source, disable_comments=True)
    except ValueError as exc:
        raise RenderError(str(exc)) from None
    for pattern, replacement in _MJML_ONLY:
        html = pattern.sub(replacement, html)
    html = _HEADING.sub(_heading, html)
    html = _UNSTYLED_LINK.sub(f"<a {LINK_STYLE}", html)
    return html.replace("<head>", "<head>" + COLOR_SCHEME, 1)


@lru_cache(maxsize=64)
def _compiled(name: str, keys: tuple[str, ...]) -> tuple[str, str, Markers]:
    """Compile once per template: MJML costs milliseconds, filling in markers microseconds."""
    env = environment()
    markers = Markers()
    context = markers.placeholders(keys)
    html = compile_mjml(env.get_template(f"{name}.mjml").render(context))
    text = env.get_template(f"{name}.txt").render(context)
    return html, text, markers


def render_email(name: str, subject: str, context: dict[str, str]) -> RenderedEmail:
    """`name.mjml` (HTML) and `name.txt` (text); values are escaped for HTML, plain in text."""
    values = {"subject": subject, **context}
    html, text, markers = _compiled(name, tuple(sorted(values)))
    # one pass each, so a value that looks like a marker is never replaced again
    return RenderedEmail(
        subject=subject,
        html=markers.fill(html, values, html=True),
        text=markers.fill(text, values, html=False),
    )
