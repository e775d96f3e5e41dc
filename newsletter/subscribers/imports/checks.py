"""Importing readers from CSV: check the whole file first, then all of it or nothing.

- Encoding: UTF-8 (with or without BOM), else Windows-1252 (what Excel in Dutch saves).
- Separator: comma, semicolon or tab, read from the header line.
- Columns (Dutch or English names): naam/name, e-mailadres/email, gemeente (CBS code or name,
  case and accents do not matter), functie/role, and optionally toestemming_datum/consent_date
  (DD-MM-JJJJ as Dutch Excel writes it, or JJJJ-MM-DD) with toestemming_bron/consent_source
  as proof of consent.
- Every invalid row is reported with its line number and all its problems at once; if there
  is one, nothing is imported.
- The same address twice in the file, or already known: merged (first row wins; someone who
  unsubscribed is never subscribed again by an import). Addresses on the suppression list are
  refused.
- With proof of consent a reader becomes active; without it they get a re-permission mail
  (double opt-in) and stay pending until they confirm.

Memory stays bounded: rows are streamed twice, and only the set of address keys is kept (an
upload's bytes, at most 8 MB, are read from the database in one piece).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import IO

from newsletter.reference.services import find_gemeente, fold
from newsletter.subscribers.addresses import InvalidEmail, normalise_email
from newsletter.subscribers.lifecycle.imports import ImportRow
from newsletter.subscribers.models import ROLE_LABELS, Role
from newsletter.subscribers.names import problem as name_problem

COLUMNS = {
    "name": ("naam", "name"),
    "email": ("e-mailadres", "emailadres", "e-mail", "email"),
    "gemeente": ("gemeente", "municipality"),
    "role": ("functie", "rol", "role"),
    "consent_date": ("toestemming_datum", "toestemming datum", "consent_date"),
    "consent_source": ("toestemming_bron", "toestemming bron", "consent_source"),
}
REQUIRED = ("name", "email", "gemeente", "role")
MAX_PROBLEMS = 1000


#: a file on disk (the command line) or its bytes (an upload, kept in the database)
Source = Path | bytes


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is Dutch."""


def _binary(source: Source) -> IO[bytes]:
    return io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")


@dataclass
class Checked:
    encoding: str = ""
    rows: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    problem_count: int = 0
    duplicates: int = 0

    def problem(self, line: int, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((line, reason))


def _encoding(source: Source) -> str:
    """UTF-8 if the whole file decodes as UTF-8 (read in chunks), else Windows-1252."""
    utf8 = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        with _binary(source) as handle:
            while chunk := handle.read(1 << 16):
                utf8.decode(chunk)
            utf8.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _header_map(header: list[str]) -> dict[str, int]:
    names = [fold(h.strip().lstrip("\ufeff")).replace(" ", "_") for h in header]
    found: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            alias = fold(alias).replace(" ", "_")
            if alias in names:
                found[key] = names.index(alias)
                break
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in found]
    if missing:
        raise ImportFileError(
            "Kolommen ontbreken: " + ", ".join(missing) + ". De eerste regel moet de kolomnamen "
            "bevatten, bijvoorbeeld: naam;e-mailadres;gemeente;functie"
        )
    return found


def _role(text: str) -> Role | None:
    key = fold(text)
    for role, label in ROLE_LABELS.items():
        if key in (fold(label), role.value):
            return role
    return None


def day_of(text: str) -> date | None:
    """A date as Dutch Excel writes it (31-12-2025, 31/12/2025, 31.12.2025, 1-2-2026) or ISO
    (2025-12-31); None when it is none of these."""
    text = text.strip().split(" ")[0]  # Excel may add a time: "31-12-2025 00:00"
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parts = text.replace("/", "-").replace(".", "-").split("-")
    if len(parts) == 3 and all(part.isdigit() for part in parts) and len(parts[2]) == 4:
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            return None
    return None


def _parse(line: int, cells: list[str], where: dict[str, int]) -> ImportRow | str:
    """The row, or every problem of it at once ('naam ontbreekt; functie … is onbekend')."""

    def cell(key: str) -> str:
        index = where.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    problems: list[str] = []
    name = cell("name")
    if not name:
        problems.append("naam ontbreekt")
    elif wrong := name_problem(name):
        problems.append(f"naam: {wrong[0].lower()}{wrong[1:-1]}")
    email = None
    try:
        email = normalise_email(cell("email"))
    except InvalidEmail:
        problems.append(f"'{cell('email')[:80]}' is geen geldig e-mailadres")
    gemeente = find_gemeente(cell("gemeente"))
    if gemeente is None:
        problems.append(f"gemeente '{cell('gemeente')[:80]}' bestaat niet")
    role = _role(cell("role"))
    if role is None:
        problems.append(f"functie '{cell('role')[:40]}' is onbekend")
    consent_at, source = None, cell("consent_source") or None
    if cell("consent_date"):
        day = day_of(cell("consent_date"))
        if day is None:
            problems.append(
                f"toestemming_datum '{cell('consent_date')[:20]}' is geen datum "
                "(DD-MM-JJJJ of JJJJ-MM-DD)"
            )
        elif day > date.today():
            problems.append("toestemming_datum ligt in de toekomst")
        else:
            consent_at = datetime.combine(day, time(12), tzinfo=UTC)
        if not source:
            problems.append("toestemming_datum zonder toestemming_bron")
    elif source:
        problems.append("toestemming_bron zonder toestemming_datum")
    if problems or email is None or gemeente is None or role is None:
        return "; ".join(problems)
    return ImportRow(
        line, name, email, gemeente.code, role, consent_at, source[:150] if source else None
    )


def rows(source: Source, encoding: str) -> Iterator[ImportRow | tuple[int, str]]:
    """Each data line as a ImportRow, or (line, reason) when it is not valid."""
    try:
        yield from _rows(source, encoding)
    except UnicodeDecodeError:
        raise ImportFileError(
            "Het bestand is geen UTF-8 en geen Windows-1252. Sla het in Excel op als "
            "'CSV UTF-8 (door komma's gescheiden)' en probeer het opnieuw."
        ) from None


def _rows(source: Source, encoding: str) -> Iterator[ImportRow | tuple[int, str]]:
    with io.TextIOWrapper(_binary(source), encoding=encoding, newline="") as handle:
        first = handle.readline()
        if not first.strip():
            raise ImportFileError("Het bestand is leeg.")
        delimiter = max((";", ",", "\t"), key=first.count)
        header = next(csv.reader([first], delimiter=delimiter))
        where = _header_map(header)
        lines = csv.reader(handle, delimiter=delimiter)
        try:
            for number, cells in enumerate(lines, start=2):
                if not any(c.strip() for c in cells):
                    continue
                parsed = _parse(number, cells, where)
                yield parsed if isinstance(parsed, ImportRow) else (number, parsed)
        except csv.Error as exc:
            raise ImportFileError(
                f"Regel {lines.line_num}: het bestand is geen geldige CSV ({exc})."
            ) from None


def count_rows(source: Source) -> int:
    """Data lines in the file (at least 1): the length of a progress bar."""
    with _binary(source) as handle:
        return max(1, sum(1 for _ in handle) - 1)


def check(source: Source, progress: Callable[[int], None] | None = None) -> Checked:
    """The first pass: every problem, with its line number; nothing is written."""
    checked = Checked(encoding=_encoding(source))
    seen: set[str] = set()
    for item in rows(source, checked.encoding):
        checked.rows += 1
        if progress and checked.rows % 1000 == 0:
            progress(1000)
        if isinstance(item, tuple):
            checked.problem(*item)
        elif item.email.key in seen:
            checked.duplicates += 1
        else:
            seen.add(item.email.key)
    return checked
