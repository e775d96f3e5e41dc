from email import message_from_bytes, policy

from bs4 import BeautifulSoup

from newsletter.mail.message import compose
from newsletter.rendering.mjml import render_email

PRIVACY = {  # linked from every mail
    "privacy_url": "https://ravijn.example/privacy",
    "archive_url": "https://ravijn.example/archief/",
}
CONTEXTS = {
    "confirm": {"confirm_url": "https://ravijn.example/bevestigen/abc", **PRIVACY},
    "welcome": {
        "preferences_url": "https://ravijn.example/voorkeuren/p",
        "unsubscribe_url": "https://ravijn.example/afmelden/u",
        **PRIVACY,
    },
    "goodbye": {"signup_url": "https://ravijn.example/aanmelden", **PRIVACY},
    "already_subscribed": {"preferences_url": "https://ravijn.example/voorkeuren/p", **PRIVACY},
}


def test_every_transactional_template_compiles_in_dutch():
    for name, context in CONTEXTS.items():
        rendered = render_email(name, "Onderwerp", {"name": "Anna", **context})
        soup = BeautifulSoup(rendered.html, "html.parser")
        assert soup.html["lang"] == "nl"
        assert "<mj-" not in rendered.html
        assert "VNG, Nassaulaan 12, 2514 JS Den Haag" in rendered.text
        hrefs = {a["href"] for a in soup.find_all("a")}
        for url in context.values():
            assert url in hrefs
            assert url in rendered.text


def test_names_are_escaped_in_html_and_plain_in_text():
    # (the welcome mail: the confirmation greets nobody by name, see the next test)
    rendered = render_email(
        "welcome", "Welkom", {"name": "<script>x</script> & Co", **CONTEXTS["welcome"]}
    )
    assert "<script>x</script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "Beste <script>x</script> & Co," in rendered.text


def test_transactional_message_is_multipart_alternative_without_list_headers():
    rendered = render_email("confirm", "Bevestig", {"name": "Anna", **CONTEXTS["confirm"]})
    message = message_from_bytes(
        compose(
            mail_from="OVER het ravijn <nieuwsbrief@vng.nl>",
            to_address="anna@utrecht.nl",
            to_name="Anna de Vries",
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
        ),
        policy=policy.default,
    )
    assert message.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    for header in ("From", "To", "Subject", "Date", "Message-ID"):
        assert message[header]
    assert message["Message-ID"].endswith("@vng.nl>")
    assert "List-Unsubscribe" not in message
    assert str(message["To"]) == "Anna de Vries <anna@utrecht.nl>"
    assert message["Content-Language"] == "nl"
    assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"


def test_the_mail_a_stranger_can_trigger_carries_no_stranger_text():
    typed = "Beste collega. LET OP: bevestig ook via https://evil.example"
    rendered = render_email("confirm", "Bevestig", {"name": typed, **CONTEXTS["confirm"]})
    assert "evil" not in rendered.html and "evil" not in rendered.text
    assert "LET OP" not in rendered.text and "Goedendag," in rendered.text
