"""Issue 29, acceptance 2 (the server's half): Markdown within the editor's grammar, written in
any style, has one canonical form; parse → serialise → parse gives the same document, and the
canonical form is its own canonical form and renders the same mail."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.rendering import canonical
from newsletter.rendering.markdown import build
from newsletter.rendering.mdtree import tree

FIXTURES = Path(__file__).parent.parent / "fixtures"

# words with the characters Markdown reads as syntax, to test the escaping
WORDS = st.sampled_from(
    [
        "gemeente",
        "fonds",
        "2026.",
        "1)",
        "-",
        "+",
        "#1voor12",
        "a_b",
        "_x_",
        "*",
        "**",
        "[x]",
        "{.button}",
        "<b>",
        "&amp;",
        "A|B",
        "\\",
        "`code`",
        "~",
        "!",
        "€ 1,4",
        "vóór",
        "=",
        ">",
    ]
)
PLAIN = st.sampled_from(["gemeente", "fonds", "jeugdzorg", "Kamer", "2026", "vóór", "€"])


def _text(words: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(words, min_size=1, max_size=6).map(" ".join)


def _inline(words: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    piece = st.one_of(
        _text(words),
        _text(PLAIN).map(lambda t: f"**{t}**"),
        _text(PLAIN).map(lambda t: f"*{t}*"),
        _text(PLAIN).map(lambda t: f"__{t}__"),
        _text(PLAIN).map(lambda t: f"[{t}](https://vng.nl/{len(t)})"),
        _text(PLAIN).map(lambda t: f"[*{t}*](https://vng.nl/a_(b))"),
    )
    return st.lists(piece, min_size=1, max_size=4).map(" ".join).map(str.strip)


def _blocks(words: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    line = _inline(words)
    items = st.lists(line, min_size=1, max_size=3)
    block = st.one_of(
        line,
        st.lists(line, min_size=2, max_size=3).map("\n".join),  # line breaks
        st.tuples(st.sampled_from(["#", "##", "###", "####"]), line).map(" ".join),
        st.tuples(st.sampled_from(["-", "*", "+"]), items).map(
            lambda t: "\n".join(f"{t[0]} {i}" for i in t[1])
        ),
        items.map(lambda i: "\n".join(f"{n + 3}. {x}" for n, x in enumerate(i))),
        items.map(lambda i: "\n".join(f"> {x}" for x in i)),
        st.sampled_from(["---", "***", "* * *"]),
        _text(PLAIN).map(lambda t: f"![{t}](https://vng.nl/beeld.png)"),
        st.just("![](https://vng.nl/sier.png){.decoratief}"),
        _text(PLAIN).map(lambda t: f"[{t}](https://vng.nl/actie){{.button}}"),
        st.tuples(_text(PLAIN), _text(PLAIN)).map(
            lambda t: f"|{t[0]}|{t[1]}|\n|:--|--:|\n|{t[1]}|{t[0]}|"
        ),
    )
    return st.lists(block, min_size=1, max_size=5).map("\n\n".join)


def _stable(markdown: str) -> canonical.Result:
    found = canonical.body(markdown)
    if found.ok:
        assert tree(found.body) == tree(markdown)
        assert canonical.body(found.body).body == found.body
        assert build(found.body, styled=False).text == build(markdown, styled=False).text
    return found


@settings(max_examples=80, deadline=None)
@given(_blocks(PLAIN))
def test_the_grammar_has_one_canonical_form(markdown: str) -> None:
    assert _stable(markdown).ok, markdown


@settings(max_examples=80, deadline=None)
@given(_blocks(WORDS))
def test_syntax_characters_in_the_text_survive(markdown: str) -> None:
    _stable(markdown)


def test_the_fixture_edition_is_canonical_after_one_save() -> None:
    source = (FIXTURES / "edition-jeugdzorg.md").read_text()
    once = canonical.source(source)
    assert once.ok and canonical.source(once.body).body == once.body
    assert "| --- | ---: | ---: |" in once.body  # the table, in one style


def test_a_paragraph_that_starts_with_a_year_stays_a_paragraph() -> None:
    found = canonical.body("2026\\. Een bijzonder jaar\n")
    assert found.body == "2026\\. Een bijzonder jaar\n"
    assert "<ol" not in build(found.body, styled=False).sections[0][0].html


def test_what_the_editor_cannot_hold_is_kept_with_a_reason() -> None:
    code = "Tekst\n\n```\ncode\n```\n"
    found = canonical.body(code)
    assert not found.ok and found.body == code and "codeblok" in found.why
    inline_image = canonical.body("Kijk: ![grafiek](https://vng.nl/g.png) hier.\n")
    assert not inline_image.ok and "afbeelding midden in een zin" in inline_image.why


def test_a_decorative_image_is_no_error_and_an_image_without_alt_is() -> None:
    decorative = build("![](https://vng.nl/sier.png){.decoratief}\n")
    assert not [p for p in decorative.problems if "alt-tekst" in p.message]
    bare = build("![](https://vng.nl/sier.png)\n")
    assert [p for p in bare.problems if "alt-tekst" in p.message]
