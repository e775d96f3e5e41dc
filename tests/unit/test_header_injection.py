"""Finding 2 (header injection through the edition title): every title, preheader and name from
all of Unicode, line separators included, is refused with a Dutch message or gives a mail
whose header block parses to exactly the expected header names."""

from __future__ import annotations

import json
from email import message_from_bytes, policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.delivery.prepared import PreparedEdition, Recipient
from newsletter.mail.message import HeaderError, compose
from newsletter.rendering.edition import render_edition

EXPECTED = [
    "From",
    "Subject",
    "To",
    "Date",
    "Message-ID",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Content-Language",
    "X-Auto-Response-Suppress",
    "MIME-Version",
    "Content-Type",
]
LINE_BREAKERS = st.sampled_from(["\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c"])
#: all of Unicode, with the characters that split lines mixed in often
TEXT = st.text(
    st.one_of(st.characters(exclude_categories=["Cs"]), LINE_BREAKERS), min_size=1, max_size=40
)
BODY = "\n## Kop\n\nTekst.\n"


def source(title: str, preheader: str) -> str:
    # JSON strings are YAML double-quoted strings: every character survives, escaped
    return f"---\ntitle: {json.dumps(title)}\npreheader: {json.dumps(preheader)}\n---\n{BODY}"


def header_names(data: bytes) -> list[str]:
    message = message_from_bytes(data, policy=policy.default)
    assert message.defects == []
    return list(message.keys())


def test_the_reported_title_is_refused_in_dutch():
    rendered = render_edition(source("Nieuws\u2028Bcc: x@evil.example", "Voorregel"))
    assert not rendered.ok
    assert any("'title' moet op één regel staan" in str(p) for p in rendered.problems)


@settings(max_examples=300, deadline=None)
@given(title=TEXT, preheader=TEXT)
def test_titles_and_preheaders(app, title, preheader):
    rendered = render_edition(source(title, preheader))
    if not rendered.ok:
        messages = " ".join(str(p) for p in rendered.problems if p.level == "error")
        assert any(
            word in messages for word in ("'title'", "'preheader'", "onderwerp", "De mail")
        ), messages
        return
    with app.test_request_context():
        prepared = PreparedEdition(
            3, rendered, mail_from="OVER het ravijn <nb@vng.example>", list_id="<l.vng.example>"
        )
        data = prepared.bytes_for(Recipient(9, "anna@utrecht.example", "Anna", "pub"))
    assert header_names(data) == EXPECTED
    assert message_from_bytes(data, policy=policy.default)["Subject"] == rendered.subject


@settings(max_examples=250, deadline=None)
@given(name=TEXT)
def test_subscriber_names(app, name):
    rendered = render_edition(source("Titel", "Voorregel"))
    with app.test_request_context():
        prepared = PreparedEdition(
            3, rendered, mail_from="OVER het ravijn <nb@vng.example>", list_id="<l.vng.example>"
        )
        data = prepared.bytes_for(Recipient(9, "anna@utrecht.example", name, "pub"))
    assert header_names(data) == EXPECTED
    transactional = compose(
        mail_from="OVER het ravijn <nb@vng.example>",
        to_address="anna@utrecht.example",
        to_name=name,
        subject="Welkom",
        text="x",
        html="<p>x</p>",
    )
    assert header_names(transactional)[:3] == ["From", "To", "Subject"]


def test_a_subject_we_build_with_a_line_break_is_refused():
    with pytest.raises(HeaderError, match="één regel"):
        compose(
            mail_from="OVER het ravijn <nb@vng.example>",
            to_address="a@b.example",
            to_name="A",
            subject="Welkom\u2028Bcc: x@evil.example",
            text="x",
            html="x",
        )


@pytest.mark.parametrize(
    "subject",
    [
        "Goedkeuring gevraagd: Jeugdzorg: gemeenten kunnen het gat niet dichten",
        "Een heel lang onderwerp " * 6,
        "twee  spaties  en  meer   dan   zeventig   tekens   in   een   regel   kop",
        "Één onderwerp met accenten: café, reünie en financiële ruimte voor gemeenten in 2026",
    ],
)
def test_a_long_subject_folds_with_words_on_the_first_line_and_unfolds_unchanged(subject):
    """The standard folder left `Subject:` alone on its line: readers saw a leading space."""
    data = compose(
        mail_from="OVER het ravijn <nb@ravijn.example>",
        to_address="a@gemeente.example",
        to_name="",
        subject=subject,
        text="x",
        html="<p>x</p>",
    )
    lines = data.split(b"\r\n\r\n")[0].decode().split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Subject:"))
    folded = [lines[start]]
    folded += [line for line in lines[start + 1 :] if line.startswith(" ")][: len(lines)]
    assert folded[0].strip() != "Subject:"
    assert all(len(line) <= 78 for line in folded)
    parsed = message_from_bytes(data, policy=policy.default)["Subject"]
    assert parsed == subject
