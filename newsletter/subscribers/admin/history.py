"""What a reader was sent, for their page in /beheer/lezers. Delivery keeps the ledger and sits
a layer above, so it is handed in explicitly by `create_app` (the composition root) through
`provide`; a page asking before that fails loudly instead of showing an empty history.
See docs/architecture.md#layers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from flask import Flask, current_app

_KEY = "subscriber_history"


class Received(Protocol):
    edition_id: int
    title: str
    outcome: str


ReceivedBy = Callable[[int], Sequence[Received]]


def provide(app: Flask, received_by: ReceivedBy) -> None:
    app.extensions[_KEY] = received_by


def received(subscriber_id: int) -> Sequence[Received]:
    try:
        received_by: ReceivedBy = current_app.extensions[_KEY]
    except KeyError:
        raise RuntimeError("create_app did not provide the delivery history") from None
    return received_by(subscriber_id)
