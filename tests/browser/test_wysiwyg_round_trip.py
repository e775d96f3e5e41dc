"""Issue 29, acceptance 2 (the browser's half): every edition fixture of the tests and the seed
letter opens in the WYSIWYG editor and saves byte-identically; what the editor cannot hold
opens in the source view with a Dutch note."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from newsletter.editions import services
from newsletter.editions.forms import STARTER
from tests import mails
from tests.browser.test_workspace_form import log_in
from tests.factories import SOURCE
from tests.helpers import current_edition

pytestmark = pytest.mark.browser

RICH = """---
title: Alles wat de editor kent
---

## Kop

### Tussenkop

#### Kleine kop

Tekst met **vet**, *cursief*, ***beide***, een [link](https://vng.nl/a_\\(b\\)) en <https://vng.nl>.
Een tweede regel; 2026\\. is geen lijst, \\# geen kop, 3 \\* 4 en a\\_b_c.

- een
- twee
  1. genest
  2. ook

4. vier
5. vijf

> Een citaat
> over twee regels.

![Grafiek van het tekort](https://vng.nl/grafiek.png)

![](https://vng.nl/sier.png){.decoratief}

[Schrijf uw Kamerlid](https://vng.nl/actie){.button}

---

| Jaar | Bedrag | Opmerking |
| :--- | ---: | :---: |
| 2026 | € 1,4 miljard | *fors* |
| 2027 |  | \\| geen kolom |

- los

- uit elkaar
"""
FIXTURES = {
    "fixture": SOURCE,
    "seed letter with agenda": mails.EDITION,
    "starter": STARTER.format(today="2026-12-07"),
    "everything": RICH,
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_open_and_save_changes_no_byte(name, page, live_server, editor, db):
    edition, _ = services.create(FIXTURES[name], editor.id)
    stored = edition.source
    log_in(page, editor.email)
    page.goto(f"/beheer/edities/{edition.id}")
    text = page.get_by_role("textbox", name="Tekst van de editie")
    expect(text).to_be_visible()
    expect(page.locator("#editor-melding")).to_have_count(0)
    body = page.evaluate("window.ravijnEditor.markdown()")
    assert stored.endswith("\n" + body)  # the editor writes what the server stored
    page.get_by_role("button", name="Opslaan en voorbeeld bijwerken").click()
    expect(page.get_by_text("Opgeslagen.")).to_be_visible()
    assert current_edition(edition.id).source == stored


def test_what_the_editor_cannot_hold_opens_in_the_source_view(page, live_server, editor, db):
    source = SOURCE.replace("## De cijfers", "## De cijfers\n\n```\ncode\n```")
    edition, _ = services.create(source, editor.id)
    assert current_edition(edition.id).source == source  # kept as it came
    log_in(page, editor.email)
    page.goto(f"/beheer/edities/{edition.id}")
    expect(page.locator("#editor-melding")).to_contain_text("een codeblok")
    expect(page.get_by_label("Editie (front matter en Markdown)")).to_have_value(source)
    page.get_by_role("button", name="Opslaan en voorbeeld bijwerken").click()
    expect(page.get_by_text("Opgeslagen.")).to_be_visible()
    assert current_edition(edition.id).source == source
