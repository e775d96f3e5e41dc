"""What the checks found: errors block publishing, warnings are shown to the editor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    level: str  # "error" or "warning"
    message: str  # Dutch, for the editor
    line: int | None = None  # line in the edition's source, 1-based

    @classmethod
    def error(cls, message: str, line: int | None = None) -> Problem:
        return cls("error", message, line)

    @classmethod
    def warning(cls, message: str, line: int | None = None) -> Problem:
        return cls("warning", message, line)

    def __str__(self) -> str:
        where = f"regel {self.line}: " if self.line else ""
        label = "fout" if self.level == "error" else "waarschuwing"
        return f"{label}: {where}{self.message}"
