"""The one error type of editions (and of the four-eyes rule), apart so both can raise it."""


class EditionError(Exception):
    """A rule said no; the message is Dutch and shown to the editor."""
