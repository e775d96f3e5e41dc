"""The one writer of subscriber state: every change of a subscriber goes through here and leaves
its consent event in the same transaction (or, where the person is erased, an audit event).

sign-up · confirm · re-permission (import without proof) · preferences · unsubscribe · bounce ·
complaint · import · registration through the API · erase · purge. `replay()` says what state a
subscriber's events lead to; a property test holds every sequence of these operations to it.

Public entry points answer the same way whether or not the address is known (the views show one
page), and change rows only when a mail is really sent: at most one confirmation (or "already
subscribed") mail per address per interval, whatever is submitted.
"""

from newsletter.subscribers.lifecycle.address import (
    AddressOutcome,
    confirm_address_change,
    request_address_change,
)
from newsletter.subscribers.lifecycle.core import (
    CAN_CONFIRM,
    LEADS_TO,
    UnknownSubscriber,
    by_key,
    get_by_public_id,
    replay,
)
from newsletter.subscribers.lifecycle.corrections import correct
from newsletter.subscribers.lifecycle.imports import ImportCounts, import_chunk
from newsletter.subscribers.lifecycle.journey import (
    ConfirmOutcome,
    ProfileChange,
    SignupRequest,
    change_preferences,
    confirm,
    confirmation_state,
    process_signup,
    request_manage_link,
    request_preferences_link,
    request_signup,
    resend_confirmation,
    submit_signup,
)
from newsletter.subscribers.lifecycle.leaving import (
    CAN_LEAVE_BY_MAIL,
    UNDO_WINDOW,
    Returned,
    process_unsubscribe_request,
    resubscribe,
    submit_unsubscribe_request,
    take_goodbye,
    unsubscribe,
)
from newsletter.subscribers.lifecycle.link_requests import (
    process_link_request,
    submit_link_request,
)
from newsletter.subscribers.lifecycle.outcomes import (
    bounce,
    bounce_reported,
    complain,
    refused_by_relay,
)
from newsletter.subscribers.lifecycle.registration import (
    NewSubscriber,
    Proof,
    Refusal,
    RegistrationRefused,
    register,
)
from newsletter.subscribers.lifecycle.retention import (
    IMPORT_REPORT_DAYS,
    erase,
    expire_import_reports,
    purge_expired,
    retention,
)
from newsletter.subscribers.models import ConsentKind, ConsentSource, LinkKind, Role

__all__ = [
    "CAN_CONFIRM",
    "CAN_LEAVE_BY_MAIL",
    "IMPORT_REPORT_DAYS",
    "LEADS_TO",
    "UNDO_WINDOW",
    "AddressOutcome",
    "ConfirmOutcome",
    "ConsentKind",
    "ConsentSource",
    "ImportCounts",
    "LinkKind",
    "NewSubscriber",
    "ProfileChange",
    "Proof",
    "Refusal",
    "RegistrationRefused",
    "Returned",
    "Role",
    "SignupRequest",
    "UnknownSubscriber",
    "bounce",
    "bounce_reported",
    "by_key",
    "change_preferences",
    "complain",
    "confirm",
    "confirm_address_change",
    "confirmation_state",
    "correct",
    "erase",
    "expire_import_reports",
    "get_by_public_id",
    "import_chunk",
    "process_link_request",
    "process_signup",
    "process_unsubscribe_request",
    "purge_expired",
    "refused_by_relay",
    "register",
    "replay",
    "request_address_change",
    "request_manage_link",
    "request_preferences_link",
    "request_signup",
    "resend_confirmation",
    "resubscribe",
    "retention",
    "submit_link_request",
    "submit_signup",
    "submit_unsubscribe_request",
    "take_goodbye",
    "unsubscribe",
]
