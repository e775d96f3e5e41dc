"""The Nu Html Checker as the browser tests use it (tests/vnu.py): it runs here (in CI it must),
it finds errors, and the mail allowlist lets through what mail clients need and nothing else."""

from __future__ import annotations

import pytest

from tests import vnu

PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Pagina</title></head>
<body><main><form><input type="hidden" name="csrf_token" id="csrf_token"></form>
<form><input type="hidden" name="csrf_token" id="csrf_token"></form></main></body></html>"""

MAIL = """<!doctype html><html lang="nl" xmlns="http://www.w3.org/1999/xhtml"
xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
<head><meta charset="utf-8"><title>Mail</title></head><body>
<table role="presentation" border="0" cellpadding="0" cellspacing="0" width="100%" align="center"
style="mso-table-lspace:0pt;mso-table-rspace:0pt;"><tbody><tr>
<td valign="top" bgcolor="#ffffff" style="mso-padding-alt:0;"><p id="a">Tekst</p><p id="a">Meer</p>
</td></tr></tbody></table></body></html>"""


def _runnable() -> None:
    why = vnu.unavailable()
    if why and vnu.required():
        pytest.fail(f"the Nu Html Checker must run in CI: {why}")
    if why:
        pytest.skip(f"the Nu Html Checker cannot run here: {why}")


def test_the_checker_finds_errors_and_lets_through_only_what_mail_needs(tmp_path):
    _runnable()
    (tmp_path / "page.html").write_text(PAGE)
    (tmp_path / "mail.html").write_text(MAIL)
    errors = vnu.check(tmp_path)
    page = [e.message for e in errors if e.document == "page.html"]
    assert page == ["Duplicate ID “csrf_token”."]
    mail = [e for e in errors if e.document == "mail.html"]
    allowed = {e.message for e in mail if vnu.allowed_in_mail(e)}
    assert allowed == {
        "Attribute “xmlns:v” not allowed here.",
        "Attribute “xmlns:o” not allowed here.",
        "CSS: “mso-table-lspace”: Property “mso-table-lspace” doesn't exist.",
        "CSS: “mso-table-rspace”: Property “mso-table-rspace” doesn't exist.",
        "CSS: “mso-padding-alt”: Property “mso-padding-alt” doesn't exist.",
    }
    # a mail's own mistakes are not excused
    assert [e.message for e in mail if not vnu.allowed_in_mail(e)] == ["Duplicate ID “a”."]
