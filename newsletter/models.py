"""Every model, imported in one place so that Alembic and the drift test see the whole schema."""

from newsletter.delivery.models import Delivery
from newsletter.editions.models import Edition, Editor
from newsletter.readers.models import AuditEvent, ImportJob, Suppression
from newsletter.reference.models import Gemeente
from newsletter.subscriptions.models import ConsentEvent, Subscriber

__all__ = [
    "AuditEvent",
    "ConsentEvent",
    "Delivery",
    "Edition",
    "Editor",
    "Gemeente",
    "ImportJob",
    "Subscriber",
    "Suppression",
]
