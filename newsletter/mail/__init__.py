"""The one way out for mail: build (`message`), sign (`dkim`) and send (`outgoing`, `transport`).

Transactional mail, test-sends and editions all leave through `outgoing`; no other module of
the project opens an SMTP connection (an import-linter contract says so).
"""
