"""Images uploaded through the workspace come out fit for a mail (JPEG or PNG, at most 1200 px
wide, no metadata), recorded with their sizes; every image in the mail has its width and height,
in a block, a sentence, a list or a table; images from before are moved into the database and
processed once, URLs kept."""

from __future__ import annotations

import io
import re

from bs4 import BeautifulSoup
from PIL import Image

from newsletter.editions import services
from newsletter.editions.models import MediaImage
from tests.factories import SOURCE
from tests.helpers import form_tokens
from tests.images import has_metadata, phone_photo, transparent_png, webp_photo

#: the fixture without its own image (on another host: its size is not known)
BASE = re.sub(r"!\[[^\]]*\]\(https://ravijn\.vng\.nl/[^)]*\)", "", SOURCE)


def upload(client, data: bytes, filename: str) -> dict[str, str]:
    answer = client.post(
        "/beheer/afbeeldingen",
        data=form_tokens(client, "/beheer/") | {"image": (io.BytesIO(data), filename)},
        headers={"X-Requested-With": "fetch"},
    )
    assert answer.status_code == 200, answer.json
    return answer.json


def served(client, url: str) -> tuple[Image.Image, bytes, str]:
    with client.get(url.split("ravijn.example", 1)[1]) as response:
        assert response.status_code == 200
        data, mimetype = response.data, response.mimetype
    image = Image.open(io.BytesIO(data))
    image.load()
    return image, data, mimetype


def mail_images(url: str) -> list[dict[str, str]]:
    """The <img> of the upload in a mail that shows it as a block, in a sentence, in a list
    and in a table."""
    body = (
        f"\n![Grafiek]({url})\n\nZie ![klein]({url}) in de zin.\n\n"
        f"- punt met ![lijst]({url})\n\n"
        f"| Gemeente | Beeld |\n|---|---|\n| Ede | ![tabel]({url}) |\n"
    )
    rendered = services.render(services.create(BASE + body)[0])
    assert rendered.ok, rendered.problems
    assert not [p for p in rendered.problems if "maat" in p.message]
    soup = BeautifulSoup(rendered.html, "html.parser")
    found = [img.attrs for img in soup.find_all("img") if img.get("src") == url]
    assert len(found) == 4
    return found


def sizes_in_mail(url: str) -> list[tuple[int, int]]:
    found = mail_images(url)
    assert all(img.get("width", "").isdigit() and img.get("height", "").isdigit() for img in found)
    return [(int(img["width"]), int(img["height"])) for img in found]


def test_a_phone_photo_with_gps_and_mpf_comes_out_as_a_small_jpeg(editor_client, db):
    answer = upload(editor_client, phone_photo(), "IMG_0001.jpg")
    assert "Verkleind van 4000 × 3000 naar 1200 × 900" in answer["changes"]
    assert "locatiegegevens verwijderd" in answer["changes"]
    image, data, mimetype = served(editor_client, answer["url"])
    assert (image.format, image.size, mimetype) == ("JPEG", (1200, 900), "image/jpeg")
    assert not has_metadata(data)
    row = db.session.get(MediaImage, answer["url"].rsplit("/", 1)[1])
    assert (row.width, row.height, row.original_width, row.original_height) == (
        1200,
        900,
        4000,
        3000,
    )
    # the column (502), a list's indent (478), a cell of two columns (237)
    assert sizes_in_mail(answer["url"]) == [(502, 376), (502, 376), (478, 358), (237, 178)]


def test_a_transparent_png_comes_out_as_a_png_on_white(editor_client, db):
    answer = upload(editor_client, transparent_png(), "grafiek.png")
    assert "doorzichtige delen wit gemaakt" in answer["changes"]
    image, data, mimetype = served(editor_client, answer["url"])
    assert (image.format, image.size, mimetype) == ("PNG", (1200, 300), "image/png")
    assert image.convert("RGB").getpixel((5, 5)) == (255, 255, 255)
    assert not has_metadata(data)
    assert sizes_in_mail(answer["url"]) == [(502, 126), (502, 126), (478, 120), (237, 59)]


def test_a_webp_comes_out_as_a_jpeg(editor_client, db):
    answer = upload(editor_client, webp_photo(), "foto.webp")
    assert "omgezet van WebP naar JPEG" in answer["changes"]
    assert answer["url"].endswith(".jpg")
    image, data, mimetype = served(editor_client, answer["url"])
    assert (image.format, image.size, mimetype) == ("JPEG", (1200, 600), "image/jpeg")
    assert not has_metadata(data)
    assert sizes_in_mail(answer["url"]) == [(502, 251), (502, 251), (478, 239), (237, 118)]


def test_a_small_image_keeps_its_size_in_the_mail(editor_client, db):
    out = io.BytesIO()
    Image.new("RGB", (200, 100), (0, 89, 122)).save(out, "PNG")
    answer = upload(editor_client, out.getvalue(), "logo.png")
    assert sizes_in_mail(answer["url"]) == [(200, 100)] * 4


def test_the_upload_form_says_what_changed_and_refuses_a_bomb(editor_client, db):
    fields = form_tokens(editor_client, "/beheer/") | {
        "image": (io.BytesIO(webp_photo()), "foto.webp")
    }
    page = editor_client.post("/beheer/afbeeldingen", data=fields, follow_redirects=True).get_data(
        as_text=True
    )
    assert "omgezet van WebP naar JPEG" in page
    bomb = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(bomb, "PNG")
    refused = editor_client.post(
        "/beheer/afbeeldingen",
        data=form_tokens(editor_client, "/beheer/")
        | {"image": (io.BytesIO(bomb.getvalue()), "b.png")},
        headers={"X-Requested-With": "fetch"},
    )
    assert refused.status_code == 422 and "miljoen pixels" in refused.json["error"]


def test_an_image_of_unknown_size_gets_a_warning(editor_client, db):
    rendered = services.render(
        services.create(SOURCE + "\n![Elders](https://elders.example/a.png)\n")[0]
    )
    assert any("maat niet bekend" in p.message for p in rendered.problems)


def test_images_from_before_are_processed_once_under_their_own_name(
    editor_client, db, app, settings, tmp_path
):
    settings(instance_path=tmp_path)
    directory = tmp_path / "media"
    directory.mkdir()
    old = directory / ("ab" * 16 + ".webp")
    old.write_bytes(webp_photo())
    cli = app.test_cli_runner()
    moved = cli.invoke(args=["editions", "import-media"])  # this node's instance/media
    assert moved.output == f"{old.name}\n1 afbeeldingen in de database gezet.\n"
    old.unlink()  # from here on the database holds it: no node's disk
    assert cli.invoke(args=["editions", "import-media"]).output == "Niets te verplaatsen.\n"
    result = cli.invoke(args=["editions", "process-images"])
    assert result.exit_code == 0, result.output
    assert re.search(rf"{old.name}: .*omgezet van WebP naar JPEG", result.output)
    url = f"https://ravijn.example/media/{old.name}"
    image, data, mimetype = served(editor_client, url)
    assert (image.format, image.size, mimetype) == ("JPEG", (1200, 600), "image/jpeg")
    assert not has_metadata(data)
    assert db.session.get(MediaImage, old.name).original_width == 2000
    assert sizes_in_mail(url)[0] == (502, 251)
    again = cli.invoke(args=["editions", "process-images"])
    assert again.output == "Niets te verwerken.\n"
