"""Outgoing webhooks: VNG's other systems hear when a reader confirms, leaves, bounces,
complains or is erased, and when an edition has been sent. Signed in the manner of Standard
Webhooks, written in the transaction that caused them, sent by a worker after the commit."""
