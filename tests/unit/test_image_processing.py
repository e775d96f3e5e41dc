"""Uploads made fit for a mail with Pillow: at most 1200 px wide, JPEG or PNG, sRGB, upright,
transparency on white, and nothing left of EXIF, GPS, MPF, XMP, text chunks or trailers."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms

from newsletter.editions import images
from tests.images import has_metadata, phone_photo, transparent_png, webp_photo


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_phone_photo_is_resized_and_loses_gps_mpf_and_its_trailer():
    upload = phone_photo()
    assert has_metadata(upload)
    result = images.process(upload)
    image = opened(result.data)
    assert (image.format, image.size) == ("JPEG", (1200, 900))
    assert (result.kind, result.width, result.height) == ("jpg", 1200, 900)
    assert (result.original_width, result.original_height) == (4000, 3000)
    assert not has_metadata(result.data)
    assert (
        result.summary == "Verkleind van 4000 × 3000 naar 1200 × 900; locatiegegevens verwijderd."
    )


def test_a_photo_taken_upright_is_turned_as_the_camera_says():
    result = images.process(phone_photo((4000, 3000), orientation=6))
    assert (result.width, result.height) == (1200, 1600)
    assert (result.original_width, result.original_height) == (3000, 4000)
    assert "rechtop gezet" in result.summary


def test_transparency_is_laid_on_white_and_the_png_stays_a_png():
    result = images.process(transparent_png())
    image = opened(result.data).convert("RGB")
    assert (result.kind, image.size) == ("png", (1200, 300))
    assert image.getpixel((600, 10)) == (255, 255, 255)  # was transparent
    assert image.getpixel((600, 152))[0] < 60  # the dark line keeps its contrast
    assert not has_metadata(result.data)
    assert "doorzichtige delen wit gemaakt" in result.summary


def test_webp_becomes_jpeg_or_for_a_lossless_one_png():
    photo = images.process(webp_photo())
    assert opened(photo.data).format == "JPEG" and (photo.width, photo.height) == (1200, 600)
    assert "omgezet van WebP naar JPEG" in photo.summary
    assert not has_metadata(photo.data)
    chart = images.process(webp_photo((300, 200), lossless=True))
    assert opened(chart.data).format == "PNG" and (chart.width, chart.height) == (300, 200)
    assert chart.summary == "Locatiegegevens verwijderd; omgezet van WebP naar PNG."


def test_an_embedded_colour_profile_is_applied_and_left_out():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "JPEG", icc_profile=profile)
    result = images.process(out.getvalue())
    assert "kleuren omgezet naar sRGB" in result.changes
    assert not opened(result.data).info.get("icc_profile")


def test_a_small_image_is_not_enlarged():
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (0, 0, 0)).save(out, "PNG")
    result = images.process(out.getvalue())
    assert (result.width, result.height) == (320, 200)
    assert result.summary == "De afbeelding is niet veranderd."


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(out, "PNG")  # 60 million pixels in a few kB
    assert len(out.getvalue()) < 100_000
    with pytest.raises(images.ImageRefused, match="meer dan 50 miljoen pixels"):
        images.process(out.getvalue())


def test_a_damaged_image_is_refused_in_dutch():
    with pytest.raises(images.ImageRefused, match="beschadigd"):
        images.process(phone_photo((64, 48))[:400])
    with pytest.raises(images.ImageRefused, match="geen PNG-, JPEG-"):
        images.process(b"<svg onload=alert(1)>")


def test_a_16_bit_grey_png_keeps_its_grey():
    out = io.BytesIO()
    Image.new("I;16", (10, 10), 40_000).save(out, "PNG")  # 61 % of white
    image = opened(images.process(out.getvalue()).data).convert("RGB")
    assert image.getpixel((5, 5)) == (156, 156, 156)
