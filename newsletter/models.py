"""Every model, imported in one place so that Alembic and the drift test see the whole schema."""

from newsletter.api.models import ApiKey
from newsletter.auth.models import AuditEvent, Editor, RecoveryCode
from newsletter.blobs.models import Blob
from newsletter.counts.models import EditionLink, LinkCount
from newsletter.delivery.models import Delivery
from newsletter.editions.models import Approval, Edition, EditorTestAddress
from newsletter.mail_outbox import MailOutbox
from newsletter.reference.models import Gemeente
from newsletter.subscribers.models import (
    ConsentEvent,
    ImportJob,
    SubmittedSignup,
    Subscriber,
    Suppression,
    UnsubscribeRequest,
)
from newsletter.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "ApiKey",
    "Approval",
    "AuditEvent",
    "Blob",
    "ConsentEvent",
    "Delivery",
    "Edition",
    "EditionLink",
    "Editor",
    "EditorTestAddress",
    "Gemeente",
    "ImportJob",
    "LinkCount",
    "MailOutbox",
    "RecoveryCode",
    "SubmittedSignup",
    "Subscriber",
    "Suppression",
    "UnsubscribeRequest",
    "Webhook",
    "WebhookDelivery",
]
