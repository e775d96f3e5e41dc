"""Editions: drafts, rendering, scheduling, the workspace and the public archive."""
