from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.extensions import db


class Gemeente(db.Model):
    """A municipality, keyed by its CBS code (GM0363)."""

    __tablename__ = "gemeente"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    common_name: Mapped[str | None] = mapped_column(String(80))
    province: Mapped[str] = mapped_column(String(40), index=True)

    @property
    def display_name(self) -> str:
        return self.common_name or self.name
