"""Prometheus metrics (prometheus-client). Counters are kept per process; with
PROMETHEUS_MULTIPROC_DIR set (gunicorn and several Dramatiq processes), every process writes
its values there and a scrape sums them (prometheus_client's multiprocess mode).

Nothing personal is ever a label: kinds, outcomes and queue names only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event
from sqlalchemy.orm import Session

MAILS = Counter(
    "ravijn_mails", "Mails handed to the relay or refused, by kind and outcome", ["kind", "outcome"]
)
RELAY_MAILS = Counter("ravijn_relay_mails", "Mails each relay took", ["relay"])
RELAY_FAILURES = Counter(
    "ravijn_relay_failures", "Connections to a relay that failed (its circuit opened)", ["relay"]
)
READER_EVENTS = Counter(
    "ravijn_reader_events",
    "Sign-ups, confirmations, unsubscribes, bounces and complaints",
    ["event"],
)
LINK_REQUESTS = Counter(
    "ravijn_link_requests",
    "Requests to counted links (/l/…), by kind: person or checker (an automatic link check)",
    ["kind"],
)
SMTP_SECONDS = Histogram(
    "ravijn_smtp_send_seconds",
    "Time for the relay to take one mail",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RENDER_SECONDS = Histogram(
    "ravijn_render_seconds",
    "Time to render an edition (Markdown, MJML, checks)",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
CONTENT_TYPE = CONTENT_TYPE_LATEST
log = logging.getLogger(__name__)


class QueueDepth:
    """Messages waiting per Dramatiq queue, read from the broker's Redis at scrape time."""

    def __init__(self, client: object, queues: tuple[str, ...], namespace: str = "dramatiq"):
        self.client, self.queues, self.namespace = client, queues, namespace

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("ravijn_queue_depth", "Messages waiting", labels=["queue"])
        for queue in self.queues:
            try:
                ready = self.client.llen(f"{self.namespace}:{queue}")  # type: ignore[attr-defined]
                # delayed messages (retries, waits): their bodies sit in the delay queue's hash
                # until they are due, also while a worker holds them
                later = self.client.hlen(f"{self.namespace}:{queue}.DQ.msgs")  # type: ignore[attr-defined]
            except Exception as exc:  # Redis away: /readyz says so; a scrape still answers
                log.warning("queue depth of %s unknown: %s", queue, exc.__class__.__name__)
                continue
            family.add_metric([queue], float(ready) + float(later))
        yield family


class ScrapedGauge:
    """One number read at scrape time (`read()`, e.g. a count in the database); a failure
    leaves it out of that scrape instead of failing the scrape."""

    def __init__(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        self.name, self.documentation, self.read = name, documentation, read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            number = float(self.read())
        except Exception as exc:
            log.warning("%s unknown: %s", self.name, exc.__class__.__name__)
            return
        yield GaugeMetricFamily(self.name, self.documentation, value=number)


def exposition(extra: list[object] | None = None) -> bytes:
    """The text format of every process's values (multiprocess mode) or this process's, and
    the scrape-time collectors in `extra` (queue depth)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    if extra:
        scraped = CollectorRegistry()
        for collector in extra:
            scraped.register(collector)  # type: ignore[arg-type]
        body += generate_latest(scraped)
    return body


_EVENTS = "newsletter.reader_events"


def subscriber_event(session: object, kind: str) -> None:
    """Count a reader event once the transaction that made it commits (not on a rollback)."""
    session.info.setdefault(_EVENTS, []).append(kind)  # type: ignore[attr-defined]


def _committed(session: Session) -> None:
    for kind in session.info.pop(_EVENTS, []):
        READER_EVENTS.labels(kind).inc()


def _rolled_back(session: Session) -> None:
    session.info.pop(_EVENTS, None)


def init_app() -> None:
    """Hook the session events (once per process)."""
    if not event.contains(Session, "after_commit", _committed):
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "after_rollback", _rolled_back)
