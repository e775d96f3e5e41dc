"""Finding 7: an editor's text cannot hang or crash the preview (tables, nesting, YAML depth)."""

from __future__ import annotations

import time

from newsletter.rendering.edition import render_edition

HEAD = "---\ntitle: T\npreheader: P\n---\n\n## Kop\n\n"


def errors(rendered) -> list[str]:
    return [str(p) for p in rendered.problems if p.level == "error"]


def test_a_huge_table_is_refused_quickly_with_what_fits():
    table = "|a|b|c|d|e|f|g|h|i|j|\n|-|-|-|-|-|-|-|-|-|-|\n" + "|1|2|3|4|5|6|7|8|9|0|\n" * 300
    assert len(table) < 7_000  # the size of the source in the finding
    started = time.perf_counter()
    rendered = render_edition(HEAD + table)
    took = time.perf_counter() - started
    assert any("De tabel is te groot (301 rijen, 10 kolommen)" in e for e in errors(rendered))
    assert len(rendered.html) < 30_000
    print(f"\n6.6 kB table: {took * 1000:.0f} ms, {len(rendered.html)} bytes of HTML")


def test_a_table_that_fits_is_kept():
    table = "|a|b|\n|-|-|\n" + "|1|2|\n" * 20
    rendered = render_edition(HEAD + table)
    assert not errors(rendered) and rendered.html.count(">2</td>") == 20


def test_deeply_nested_yaml_is_a_dutch_error_not_a_500():
    deep = "---\ntitle: T\npreheader: P\nsegment: " + "[" * 3000 + "]" * 3000 + "\n---\n\nTekst\n"
    assert "De front matter is te diep genest." in " ".join(errors(render_edition(deep)))
    long = "---\ntitle: T\nsegment: " + "[" * 6000 + "]" * 6000 + "\n---\n\nTekst\n"
    assert "De front matter is te lang." in " ".join(errors(render_edition(long)))


def test_a_noncharacter_does_not_break_the_mail():
    rendered = render_edition(HEAD.replace("P", "Voorregel\ufffe") + "Tekst\uffff.\n")
    assert rendered.ok and "\ufffe" not in rendered.html
