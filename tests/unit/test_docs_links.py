"""The docs hold together: every relative link in README.md and docs/ points at a file that
exists and, with a #fragment, at a heading there; every `docs/….md#anchor` that code cites
exists too (docs/testing.md#docs)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CITED = re.compile(r"docs/([\w-]+\.md)#([\w-]+)")
FENCE = re.compile(r"^(```|~~~)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|__", "", heading.strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    counts: dict[str, int] = {}
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
        if fenced:
            continue
        if m := re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line):
            base = slug(m.group(1))
            n = counts.get(base, 0)
            counts[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
        found.update(re.findall(r'<a (?:id|name)="([^"]+)"', line))
    return found


def links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return LINK.findall(text)


def broken() -> list[str]:
    problems = []
    for page in PAGES:
        for target in links(page):
            if re.match(r"[a-z]+:", target):  # https:, mailto: — not ours to check offline
                continue
            path, _, fragment = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists():
                problems.append(f"{page.name}: {target} (no such file)")
            elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
                problems.append(f"{page.name}: {target} (no such heading)")
    for source in [*ROOT.glob("newsletter/**/*.py"), *ROOT.glob("workers/*.py"),
                   *ROOT.glob("tests/**/*.py"), *ROOT.glob("templates/**/*.html")]:  # fmt: skip
        for name, fragment in CITED.findall(source.read_text(encoding="utf-8")):
            page = ROOT / "docs" / name
            if not page.exists() or fragment not in anchors(page):
                problems.append(f"{source.relative_to(ROOT)}: docs/{name}#{fragment}")
    return problems


def test_every_link_and_anchor_resolves():
    assert broken() == []


def test_the_checker_sees_a_broken_anchor(tmp_path):
    page = tmp_path / "a.md"
    page.write_text("# Eén kop: `code` en meer\n\n## Twee\n\n## Twee\n\n[x](#twee-1) [y](#drie)\n")
    assert anchors(page) == {"eén-kop-code-en-meer", "twee", "twee-1"}
    assert links(page) == ["#twee-1", "#drie"]
