"""The Nu Html Checker (vnu.jar from the npm package vnu-jar, pinned in .ci/vnu and installed by
.ci/services) on Debian's Java: one run over a folder of HTML documents, errors only.

Pages must have no error at all. Mail HTML and the archive's web versions may have what mail
clients need and HTML5 does not know, and nothing else: that is MAIL_ALLOWED, the one list.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JAR = ROOT / ".ci" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

#: what Outlook and other mail clients need and HTML5 does not know; only in mail HTML.
#: (Presentational table attributes, align, bgcolor, cellpadding, valign…, are warnings to
#: vnu, not errors, so they need no line here.)
MAIL_ALLOWED = (
    # Outlook's own CSS properties (mso-line-height-rule, mso-table-lspace, …)
    re.compile(r"^CSS: “mso-[a-z-]+”: Property “mso-[a-z-]+” doesn't exist\.$"),
    # the VML and Office namespaces on <html>, for Outlook's conditional comments
    re.compile(r"^Attribute “xmlns:[vo]” not allowed here\.$"),
)


@dataclass(frozen=True)
class Error:
    document: str  # the file's name in the folder
    line: int
    message: str
    extract: str

    def __str__(self) -> str:
        return f"{self.document}:{self.line}: {self.message} [{self.extract.strip()[:120]}]"


def unavailable() -> str | None:
    """Why vnu cannot run here, or None."""
    if shutil.which("java") is None:
        return "java is missing (Debian: default-jre-headless); .ci/services installs it as root"
    if not JAR.is_file():
        return f"{JAR.relative_to(ROOT)} is missing; .ci/services installs it (npm ci in .ci/vnu)"
    return None


def required() -> bool:
    """In CI the checker must run; on a developer's machine a missing one is a skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def check(folder: Path) -> list[Error]:
    """Every error vnu finds in the .html files of `folder`, in one run of the checker."""
    files = sorted(str(p) for p in folder.glob("*.html"))
    if not files:
        return []
    command = ["java", "-Xss8m", "-jar", str(JAR), "--format", "json", "--errors-only"]
    done = subprocess.run(
        [*command, "--stdout", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"vnu did not run (exit {done.returncode}): {done.stderr[-2000:]}")
    errors = []
    for message in json.loads(done.stdout)["messages"]:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        name = Path(message.get("url", "").removeprefix("file:")).name
        errors.append(
            Error(name, message.get("lastLine", 0), message["message"], message.get("extract", ""))
        )
    return errors


def allowed_in_mail(error: Error) -> bool:
    return any(pattern.match(error.message) for pattern in MAIL_ALLOWED)
