"""A real OpenID Connect provider for the SSO tests: tests/oidc/provider.mjs (`oidc-provider`,
OpenID certified) in a Node process of its own, with keys this module makes (so a test can sign
a token with the provider's own key, or with a stranger's) and accounts a test can change."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import requests
from joserfc.jwk import RSAKey

from newsletter.dev.sink import free_port

HERE = Path(__file__).parent
CLIENT_ID = "ravijn-tests"
CLIENT_SECRET = "tests-only-client-secret-0123456789abcdef"


def installed() -> None:
    """npm ci once, when the lock file is newer than what is installed (as .ci/services does)."""
    marker = HERE / "node_modules" / ".package-lock.json"
    lock = HERE / "package-lock.json"
    if not marker.exists() or lock.stat().st_mtime > marker.stat().st_mtime:
        subprocess.run(
            [shutil.which("npm") or "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=HERE,
            check=True,
            capture_output=True,
        )


@dataclass
class Provider:
    folder: Path
    redirect_uris: list[str]
    backchannel_uri: str
    #: where RP-initiated logout may send the browser back to (our login page)
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "eerste"}))
    process: subprocess.Popen | None = None
    #: keys published next to `key` (the one it signs with), after `rotate`
    older: list[RSAKey] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_accounts(self, accounts: dict[str, dict]) -> None:
        (self.folder / "accounts.json").write_text(json.dumps(accounts), encoding="utf-8")

    def start(self) -> Provider:
        installed()
        keys = {
            "keys": [
                key.as_dict(private=True) | {"use": "sig", "alg": "RS256"}
                for key in [self.key, *self.older]
            ]
        }
        (self.folder / "jwks.json").write_text(json.dumps(keys), encoding="utf-8")
        if not (self.folder / "accounts.json").exists():
            self.set_accounts({})
        client = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": self.redirect_uris,
            "post_logout_redirect_uris": self.post_logout_redirect_uris,
            "backchannel_logout_uri": self.backchannel_uri,
            "backchannel_logout_session_required": True,
            "token_endpoint_auth_method": "client_secret_basic",
        }
        env = {
            "PATH": "/usr/bin:/bin",
            "PORT": str(self.port),
            "CLIENT": json.dumps(client),
            "JWKS_FILE": str(self.folder / "jwks.json"),
            "ACCOUNTS_FILE": str(self.folder / "accounts.json"),
        }
        log = self.folder / "provider.log"
        with log.open("w", encoding="utf-8") as out:
            self.process = subprocess.Popen(
                ["node", str(HERE / "provider.mjs")], env=env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + 30
        while f"ready {self.issuer}" not in log.read_text(encoding="utf-8"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the OpenID provider did not start: {log.read_text()}")
            time.sleep(0.05)
        return self

    def rotate(self) -> None:
        """A new signing key (a new key id), the old one still published: as a provider rolls
        its keys. The provider restarts on the same port."""
        self.stop()
        self.older.insert(0, self.key)
        self.key = RSAKey.generate_key(2048, {"kid": f"sleutel-{len(self.older) + 1}"})
        self.start()

    def log(self) -> str:
        return (self.folder / "provider.log").read_text(encoding="utf-8")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class Browser:
    """The provider's side of a login, as a person's browser speaks it (cookies kept here)."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.http = requests.Session()
        #: how often the provider showed its login form (not when its session was still on)
        self.prompts = 0

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def login(self, authorize_url: str, account: str, cancel: bool = False) -> str:
        """Follow the provider's pages from the authorize URL; the redirect back to us. With
        `cancel`, the person clicks "Annuleren" on the provider's login page."""
        answer = self.http.get(authorize_url, allow_redirects=False, timeout=10)
        for _ in range(10):
            location = answer.headers.get("Location", "")
            if answer.status_code not in (302, 303):
                raise AssertionError(f"provider answered {answer.status_code}: {answer.text}")
            if not location.startswith(self.provider.issuer) and location.startswith("http"):
                return location  # back to the app: the code (or an error) in the query
            url = urljoin(self.provider.issuer, location)
            answer = self.http.get(url, allow_redirects=False, timeout=10)
            if answer.status_code == 200 and 'name="account"' in answer.text:
                self.prompts += 1
                form = {"account": account} | ({"cancel": "1"} if cancel else {})
                answer = self.http.post(url, data=form, allow_redirects=False, timeout=10)
        raise AssertionError("the provider kept redirecting")

    def end_session(self, url: str = "") -> str:
        """Log out at the provider (RP-initiated logout's confirm form, "yes, sign me out"),
        at `url` (an app's logout redirect) or its own page: it then tells every client with a
        back-channel logout URI. Where it sends the browser next."""
        page = self.http.get(url or f"{self.provider.issuer}/session/end", timeout=10)
        assert page.status_code == 200, page.text
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text)
        assert xsrf, page.text
        done = self.http.post(
            f"{self.provider.issuer}/session/end/confirm",
            data={"xsrf": xsrf.group(1), "logout": "yes"},
            allow_redirects=False,
            timeout=10,
        )
        assert done.status_code in (200, 302, 303), done.text
        return done.headers.get("Location", "")
