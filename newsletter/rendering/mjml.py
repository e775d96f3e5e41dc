"""Email templates: Jinja (always autoescaped) fills MJML, mjml-python turns it into HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import jinja2
from markupsafe import escape
from mjml import mjml2html

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
    """MJML → HTML with mjml-python (MRML, the Rust port): a broken template raises."""
    try:
        return mjml2html(source, disable_comments=True)
    except ValueError as exc:
        raise RenderError(str(exc)) from None


MARKER = re.compile(r"QQMARK(\d+)QQ")


def _marker(index: int) -> str:
    return f"QQMARK{index}QQ"  # letters only: survives Jinja, MJML and HTML untouched


@lru_cache(maxsize=64)
def _compiled(name: str, keys: tuple[str, ...]) -> tuple[str, str]:
    """Compile once per template: MJML costs milliseconds, a string replace microseconds."""
    env = environment()
    context = {key: _marker(i) for i, key in enumerate(keys)}
    html = compile_mjml(env.get_template(f"{name}.mjml").render(context))
    text = env.get_template(f"{name}.txt").render(context)
    return html, text


def render_email(name: str, subject: str, context: dict[str, str]) -> RenderedEmail:
    """`name.mjml` (HTML) and `name.txt` (text); values are escaped for HTML, plain in text."""
    values = {"subject": subject, **context}
    keys = tuple(sorted(values))
    html, text = _compiled(name, keys)
    plain = [str(values[key]) for key in keys]
    escaped = [str(escape(value)) for value in plain]
    # one pass each, so a value that looks like a marker is never replaced again
    html = MARKER.sub(lambda m: escaped[int(m.group(1))], html)
    text = MARKER.sub(lambda m: plain[int(m.group(1))], text)
    return RenderedEmail(subject=subject, html=html, text=text)
