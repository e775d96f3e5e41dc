"""Every model, imported in one place so that Alembic and the drift test see the whole schema."""

from newsletter.reference.models import Gemeente
from newsletter.subscriptions.models import ConsentEvent, Subscriber

__all__ = ["ConsentEvent", "Gemeente", "Subscriber"]
