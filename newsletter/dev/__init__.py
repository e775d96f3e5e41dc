"""Development only: the embedded runner, the local SMTP sink and the outbox page."""
