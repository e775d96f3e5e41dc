"""Editions rendered: one cache per process, so an autosave renders once and the previews
that reload after it (desktop, phone) find it ready."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict

from flask import current_app

from newsletter import metrics
from newsletter.editions import media
from newsletter.editions.models import Edition
from newsletter.rendering.edition import RenderedEdition, render_edition
from newsletter.urls import external_url


def web_url(edition_id: int) -> str:
    return external_url("archive.show", edition_id=str(edition_id))


_rendered: OrderedDict[tuple[object, ...], RenderedEdition] = OrderedDict()
_rendered_lock = threading.Lock()


def render(
    edition: Edition | str, *, personal: bool = True, edition_id: int | None = None
) -> RenderedEdition:
    """Render, or reuse this process's render of the same text: an autosave renders once, and
    the previews that reload after it (desktop, phone) find it ready."""
    source = edition if isinstance(edition, str) else edition.source
    edition_id = edition_id if isinstance(edition, str) else edition.id
    # the links in a render come from BASE_URL: a changed setting is another render
    base = current_app.config["SETTINGS"].base_url
    counting = current_app.config["SETTINGS"].link_counts
    images = _image_sizes(source)  # recorded sizes: an image processed later renders anew
    digest = hashlib.sha256(source.encode()).hexdigest()
    key = (base, counting, edition_id, personal, digest, tuple(sorted(images.items())))
    with _rendered_lock:
        found = _rendered.get(key)
    if found is not None:
        return found
    with metrics.RENDER_SECONDS.time():
        rendered = _render(source, personal, edition_id, images, counting)
    with _rendered_lock:
        _rendered[key] = rendered
        while len(_rendered) > 32:
            _rendered.popitem(last=False)
    return rendered


def _own_media() -> str:
    return external_url("media.show", name="x")[:-1]  # …/media/


def _image_sizes(source: str) -> dict[str, tuple[int, int]]:
    """The stored sizes of the uploads the text shows (one query, none without images)."""
    names = re.findall(re.escape(_own_media()) + r"([0-9a-f]{32}\.[a-z]{3,4})", source)
    return media.sizes(names)


def _render(
    source: str,
    personal: bool,
    edition_id: int | None,
    images: dict[str, tuple[int, int]],
    link_counts: bool = False,
) -> RenderedEdition:
    return render_edition(
        source,
        personal=personal,
        web_url=web_url(edition_id) if edition_id else "",
        signup_url=external_url("subscribers.signup"),
        own_media=_own_media(),
        privacy_url=external_url("subscribers.privacy"),
        archive_url=external_url("archive.index"),
        images=images,
        link_counts=link_counts,
    )
