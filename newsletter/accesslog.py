"""gunicorn's access log without the tokens of personal links.

Start gunicorn with `--logger-class newsletter.accesslog.MaskedLogger`: a line keeps the path's
door (`/afmelden/…`) but never the token, which would open that reader's page for whoever
reads the logs.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

TOKEN_PATH = re.compile(
    r"(/(?:bevestigen|voorkeuren|gegevens|afmelden|adres|wachtwoord)/)(?!opnieuw\b|nieuwe-link\b)[^/?\s\"]+"
)


def mask(text: str) -> str:
    return TOKEN_PATH.sub(r"\1…", text)


class MaskedLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        # every field: the request line, the path, the Referer, environ and header atoms
        return {
            key: mask(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
