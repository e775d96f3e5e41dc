"""What an edition achieved, as counts that name nobody: the page, its CSV and the API read here."""
