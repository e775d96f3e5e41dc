"""Markdown/MJML → HTML + text. Pure functions: no Flask, no database."""
