"""Sending editions: the ledger, batches, throttles, publish/pause/resume/cancel, progress."""
