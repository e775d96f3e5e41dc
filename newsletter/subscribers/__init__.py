"""The reader's journey: sign up, confirm, manage preferences, leave."""
