"""Email templates: Jinja (always autoescaped) fills MJML, mjml-python turns it into HTML."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
from mjml import mjml_to_html

EMAIL_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "emails"


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


def compile_mjml(source: str) -> str:
    """MJML → HTML; a template error is a bug, so it raises instead of sending a broken mail."""
    result = mjml_to_html(source)
    if result.errors:
        raise RenderError("; ".join(str(e) for e in result.errors))
    return result.html


def render_email(name: str, subject: str, context: dict[str, object]) -> RenderedEmail:
    """`name.mjml` (HTML) and `name.txt` (text) with the same context."""
    env = environment()
    context = {"subject": subject, **context}
    html = compile_mjml(env.get_template(f"{name}.mjml").render(context))
    text = env.get_template(f"{name}.txt").render(context)
    return RenderedEmail(subject=subject, html=html, text=text)
