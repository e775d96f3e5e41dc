"""The second pass of an import: stream the checked file in chunks to the lifecycle, all in one
transaction (Core inserts, so the session does not grow with the file). A dry run rolls back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from newsletter.auth.audit import Actor, record
from newsletter.extensions import db
from newsletter.subscribers.imports.checks import Source, rows
from newsletter.subscribers.lifecycle import ImportCounts, import_chunk
from newsletter.subscribers.lifecycle.imports import ImportRow

CHUNK = 1000


@dataclass
class Result(ImportCounts):
    duplicates: int = 0  # the same address again in this file

    def summary(self, dry_run: bool) -> str:
        """The one Dutch sentence that the command line and the job page both show."""
        return ("Proef (niets opgeslagen): " if dry_run else "Geïmporteerd: ") + (
            f"{self.active} actief met bewijs van toestemming, {self.repermission} krijgen "
            f"een verzoek om te bevestigen, {self.merged} samengevoegd met bestaande lezers, "
            f"{self.left_alone} afgemeld en zo gelaten, {self.suppressed} geweigerd (gewist), "
            f"{self.duplicates} dubbel in het bestand."
        )


def apply(
    source: Source,
    encoding: str,
    actor: Actor | None,
    *,
    name: str,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Result:
    result, seen, chunk = Result(), set(), []
    try:
        for row in rows(source, encoding):
            if not isinstance(row, ImportRow):
                raise ValueError(f"line {row[0]} is invalid; run the check first")
            if row.email.key in seen:
                result.duplicates += 1
                continue
            seen.add(row.email.key)
            chunk.append(row)
            if len(chunk) >= CHUNK:
                import_chunk(chunk, result)
                if progress:
                    progress(len(chunk))
                chunk = []
        if chunk:
            import_chunk(chunk, result)
        if dry_run:
            db.session.rollback()
            return result
        record(
            actor,
            "import",
            name[:80],
            f"{result.active} actief, {result.repermission} herbevestiging, "
            f"{result.merged} samengevoegd, {result.suppressed} geweigerd",
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()  # all or nothing
        raise
    return result
