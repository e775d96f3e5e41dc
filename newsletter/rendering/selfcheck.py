"""`python -m newsletter.rendering.selfcheck`: render every mail template where the package is
installed (a wheel outside the checkout, a server); one line per template, exit 1 on a failure.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from newsletter.rendering.edition import render_edition
from newsletter.rendering.mjml import EMAIL_TEMPLATES, render_email

URL = "https://ravijn.example/"
#: each transactional template and the values it needs
TRANSACTIONAL: dict[str, tuple[str, ...]] = {
    "confirm": ("confirm_url",),
    "repermission": ("confirm_url",),
    "welcome": ("preferences_url", "unsubscribe_url"),
    "already_subscribed": ("preferences_url",),
    "preferences_link": ("preferences_url", "days"),
    "goodbye": ("signup_url",),
    "manage_link": ("url", "heading", "intro", "button"),
    "unsubscribe_link": ("unsubscribe_url",),
    "address_confirm": ("confirm_url",),
    "address_notice": ("new_address",),
    "editor_notice": ("url", "heading", "intro"),
    "editor_password": ("url", "heading", "intro", "unasked"),
    "editor_test_address": ("url", "editor"),
}
SAMPLE_EDITION = """---
title: "Controle: de mail wordt opgemaakt"
preheader: Eén zin onder het onderwerp.
date: 2026-12-01
theme: Jeugdzorg
---

## Een kop

Een alinea met een [link](https://vng.nl/ravijn).

[Een knop](https://vng.nl/actie){.button}
"""


def _checks() -> dict[str, Callable[[], None]]:
    def transactional(name: str, keys: tuple[str, ...]) -> Callable[[], None]:
        def check() -> None:
            values = {
                "name": "Anna",
                "privacy_url": URL + "privacy",
                "archive_url": URL + "archief",
            }
            values |= {key: URL + key for key in keys}
            rendered = render_email(name, "Onderwerp", values)
            if "<mj-" in rendered.html or not rendered.text.strip():
                raise ValueError("not rendered")
            missing = [k for k in keys if URL + k not in rendered.html]
            if missing:
                raise ValueError(f"links missing: {', '.join(missing)}")

        return check

    def edition() -> None:
        rendered = render_edition(SAMPLE_EDITION, web_url=URL + "archief/1", signup_url=URL)
        if not rendered.ok:
            raise ValueError("; ".join(str(p) for p in rendered.problems))

    checks = {name: transactional(name, keys) for name, keys in TRANSACTIONAL.items()}
    checks["edition"] = edition
    return checks


def main() -> int:
    print(f"templates: {EMAIL_TEMPLATES}")
    failed = 0
    for name, check in _checks().items():
        try:
            check()
        except Exception as exc:  # report every template, not only the first failure
            failed += 1
            print(f"{name}: FAILED ({exc.__class__.__name__}: {exc})")
        else:
            print(f"{name}: ok")
    shipped = {p.stem for p in EMAIL_TEMPLATES.glob("*.mjml")} - {"base", "button"}
    unchecked = shipped - set(_checks())
    if unchecked:
        failed += 1
        print(f"not checked: {', '.join(sorted(unchecked))}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
