"""Where the templates and migrations are: inside the package in a built wheel (copied in at
build time), or at the top of the repository in a checkout (the agreed layout)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    installed = PACKAGE / name
    return installed if installed.is_dir() else PACKAGE.parent / name
