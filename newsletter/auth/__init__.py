"""Editors: accounts, login, and the audit log of what they did."""
