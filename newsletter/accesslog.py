"""gunicorn's access log without the tokens of personal links, and counted links without the
one who followed them.

Start gunicorn with `--logger-class newsletter.accesslog.MaskedLogger`: a line keeps the path's
door (`/afmelden/…`) but never the token, which would open that reader's page for whoever
reads the logs. A line for a counted link (/l/<edition>/<n>) keeps only what the count keeps
and how the server did: method, path without query, status, size, duration, time and worker.
No address, user agent, referrer, header, cookie or query string: docs/security-and-
privacy.md#link-counts.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

TOKEN_PATH = re.compile(
    r"(/(?:bevestigen|voorkeuren|gegevens|afmelden|adres|wachtwoord)/)(?!opnieuw\b|nieuwe-link\b)[^/?\s\"]+"
)


COUNTED_LINK = re.compile(r"^/l/")
#: the atoms a counted link's line keeps; every other one (h, a, f, u, {…}i, {…}e, q…) is "-"
ANONYMOUS_ATOMS = {"s", "m", "U", "H", "b", "B", "T", "D", "L", "M", "p", "t"}


def mask(text: str) -> str:
    return TOKEN_PATH.sub(r"\1…", text)


def anonymous(atoms: dict) -> dict:
    """A counted link's line: nothing in it ties the request to a person."""
    kept = {key: value if key in ANONYMOUS_ATOMS else "-" for key, value in atoms.items()}
    kept["r"] = f"{atoms.get('m', '-')} {atoms.get('U', '-')} {atoms.get('H', '-')}"
    return kept


class MaskedLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        if COUNTED_LINK.match(str(atoms.get("U", ""))):
            return anonymous(atoms)
        # every field: the request line, the path, the Referer, environ and header atoms
        return {
            key: mask(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
