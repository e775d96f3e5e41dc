"""Getting mail out: MIME building and SMTP transport (bulk sending builds on these)."""
