"""Edition rendering: ms per render (Markdown → MJML → HTML + text) and µs per recipient.

Baselines measured in the same run: markdown-it alone turning the same body into HTML (the
least any Markdown-to-HTML path pays), and encoding the finished HTML once (the least any
per-recipient step pays, since every mail must be turned into bytes).

    .venv/bin/python bench/render.py [--words 500 1500 5000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsletter.rendering.edition import personalise, render_edition
from newsletter.rendering.markdown import parser

WORDS = [
    "gemeenten",
    "staan",
    "voor",
    "een",
    "financieel",
    "ravijn",
    "het",
    "gemeentefonds",
    "krimpt",
    "en",
    "inwoners",
    "merken",
    "dat",
    "aan",
    "de",
    "jeugdzorg",
    "de",
    "bibliotheek",
    "het",
    "zwembad",
    "en",
    "de",
    "wijkteams",
]


def edition(words: int) -> str:
    """A realistic edition of about `words` words: headings, lists, a quote, table, image."""
    parts = [
        "---\ntitle: Bench-editie\npreheader: Een editie om te meten.\ndate: 2026-12-01\n"
        "theme: Jeugdzorg\n---\n"
    ]
    count = 0
    section = 0
    while count < words:
        section += 1
        parts.append(f"## Onderwerp {section}\n")
        paragraph = " ".join(WORDS[(count + i) % len(WORDS)] for i in range(60))
        parts.append(paragraph.capitalize() + ". Lees de [ledenbrief](https://vng.nl/brief).\n")
        parts.append("> Wij kunnen de tekorten niet blijven opvangen.\n")
        parts.append(
            "1. Schrijf uw Kamerleden.\n2. Praat met de lokale media.\n   - over de jeugdzorg\n"
        )
        if section % 3 == 0:
            parts.append("| Jaar | Tekort |\n|---|---:|\n| 2026 | € 1,4 miljard |\n")
            parts.append("![Grafiek van de tekorten](https://ravijn.vng.nl/media/grafiek.png)\n")
            parts.append("[Schrijf uw Kamerlid](https://vng.nl/actie){.button}\n")
        count += 60 + 12 + 7 + 10
    return "\n".join(parts)


def timed(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    parser_ = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser_.add_argument("--words", type=int, nargs="+", default=[500, 1500, 5000])
    parser_.add_argument("--repeat", type=int, default=30)
    args = parser_.parse_args()
    if args.repeat < 1 or any(w < 1 for w in args.words):
        parser_.error("words and repeat must be positive")
    md = parser()
    values = {
        "name": "Anna de Vries",
        "preferences_url": "https://ravijn.vng.nl/voorkeuren/abcdefghijklmnopqrstuvwxyz.0123",
        "unsubscribe_url": "https://ravijn.vng.nl/afmelden/abcdefghijklmnopqrstuvwxyz.0123",
    }
    print(
        f"{'words':>6} {'html kB':>8} {'render ms':>10} {'md-only ms':>11} {'ratio':>6} "
        f"{'per recipient µs':>17} {'encode µs':>10} {'ratio':>6}"
    )
    for words in args.words:
        source = edition(words)
        body = source.split("---\n", 2)[2]
        rendered = render_edition(source, web_url="https://ravijn.vng.nl/archief/1")
        errors = [p for p in rendered.problems if p.level == "error"]
        render_s = timed(lambda s=source: render_edition(s), args.repeat)
        md_s = timed(lambda b=body: md.render(b), args.repeat)
        per_s = timed(lambda r=rendered: personalise(r, values), args.repeat * 20)
        enc_s = timed(lambda r=rendered: r.html.encode("utf-8"), args.repeat * 20)
        note = f"  ({len(errors)} errors: {errors[0].message})" if errors else ""
        print(
            f"{words:>6} {len(rendered.html.encode()) / 1000:>8.1f} {render_s * 1000:>10.2f} "
            f"{md_s * 1000:>11.2f} {render_s / md_s:>6.1f} {per_s * 1e6:>17.1f} "
            f"{enc_s * 1e6:>10.1f} {per_s / enc_s:>6.1f}{note}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
