"""An edition's counted links and their counts. No row names a reader, an address, an IP or a
browser: a click is one more in the count of its edition, link, hour and kind."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.database import UTCDateTime
from newsletter.extensions import db


class ClickKind(enum.StrEnum):
    person = "person"
    #: a link checker (Safe Links, Proofpoint, Mimecast, …): "automatische controles"
    checker = "checker"


class EditionLink(db.Model):
    """Link `number` of an edition goes to `target`: written once, when the edition goes out.
    /l/<edition>/<number> redirects only here, so no URL can choose where it leads."""

    __tablename__ = "edition_link"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("edition.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    target: Mapped[str] = mapped_column(String(2000))


class LinkCount(db.Model):
    """How often link `number` of an edition was followed in one hour, by kind."""

    __tablename__ = "link_count"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("edition.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # a ClickKind
    count: Mapped[int] = mapped_column(Integer)
