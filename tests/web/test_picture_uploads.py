"""Pictures as phones send them: a 12 MB photo is taken through every upload field, turned upright, scaled
down to PICTURE_MAX_WIDTH and stored re-encoded without its EXIF data; a decompression bomb is refused
with a message."""
import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from mobilizon_lite.models import Actor, Event

from ..helpers import errors, event_fields, phone_photo, submit


def stored_pictures(app):
    """The pictures stored (thumbnails aside), read into memory."""
    folder = Path(app.instance_path) / "uploads"
    pictures = []
    for path in sorted(folder.glob("*")):
        if not path.name.endswith(".thumb.webp"):
            with Image.open(path) as image:
                image.load()
                pictures.append(image)
    return pictures


def upload(data, name="IMG_2041.jpg"):
    return io.BytesIO(data), name


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width, height):
    """A PNG of width × height black pixels, compressed to a few hundred kB by zlib."""
    compressor, row = zlib.compressobj(9), b"\0" * (width * 3 + 1)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b""))


def test_a_12_mb_phone_photo_becomes_a_banner_scaled_down_without_its_exif(app, ann):
    photo = phone_photo()
    assert 11_000_000 < len(photo) < 14_000_000 and Image.open(io.BytesIO(photo)).getexif()
    response = submit(ann, "/events/new", event_fields(picture=upload(photo)), content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    [picture] = stored_pictures(app)
    assert picture.format == "JPEG" and picture.size == (app.config["PICTURE_MAX_WIDTH"], 1440)
    assert not picture.getexif() and "exif" not in picture.info
    assert Path(picture.filename).stat().st_size < len(photo) / 4
    with app.app_context():
        assert Path(picture.filename).name == Event.get().picture


def test_a_photo_taken_upright_is_stored_upright(app, ann):
    # Stored sideways as the sensor saw it (3024 wide), with the orientation "turn a quarter clockwise".
    photo = phone_photo(orientation=6)
    response = submit(ann, "/events/new", event_fields(picture=upload(photo)), content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    [picture] = stored_pictures(app)
    assert picture.size == (app.config["PICTURE_MAX_WIDTH"], 2560) and not picture.getexif()


def test_the_orientation_turns_the_pixels(app, ann):
    # Red on the left as stored; turned a quarter clockwise, red is on top.
    image = Image.new("RGB", (200, 100), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    data = io.BytesIO()
    image.save(data, "JPEG", exif=exif, quality=95)
    response = submit(ann, "/events/new", event_fields(picture=upload(data.getvalue())),
                      content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    [picture] = stored_pictures(app)
    assert picture.size == (100, 200)
    top, bottom = picture.convert("RGB").getpixel((50, 20)), picture.convert("RGB").getpixel((50, 180))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]


def test_a_photo_sent_as_png_is_kept_as_a_jpeg(app, ann):
    photo = Image.open(io.BytesIO(phone_photo())).resize((1200, 900))
    data = io.BytesIO()
    photo.save(data, "PNG")
    response = submit(ann, "/events/new", event_fields(picture=upload(data.getvalue(), "screenshot.png")),
                      content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    [picture] = stored_pictures(app)
    assert picture.format == "JPEG" and picture.size == (1200, 900)


@pytest.mark.parametrize("width, height", [
    (8000, 8000),  # 64 megapixels decoded: over what is ever decoded
    (16000, 16000),  # 256 megapixels declared: Pillow refuses to open it
])
def test_a_decompression_bomb_is_refused_with_a_message(app, ann, width, height):
    bomb = png_bomb(width, height)
    assert len(bomb) < 1_000_000
    response = submit(ann, "/events/new", event_fields(picture=upload(bomb, "bomb.png")),
                      content_type="multipart/form-data")
    assert response.status_code == 400
    assert "This picture is too large: at most 40 megapixels in all." in errors(response)
    assert stored_pictures(app) == []
    with app.app_context():
        assert Event.select().count() == 0


def test_a_group_takes_phone_photos_as_avatar_and_banner(app, ann):
    from .test_groups import group_fields

    fields = group_fields(avatar=upload(phone_photo(orientation=6)), banner=upload(phone_photo()))
    response = submit(ann, "/groups/new", fields, content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    with app.app_context():
        group = Actor.get(Actor.preferred_username == "club")
    sizes = {Path(picture.filename).name: picture.size for picture in stored_pictures(app)}
    assert sizes == {group.avatar: (1920, 2560), group.banner: (1920, 1440)}


def test_the_form_says_how_big_a_picture_may_be(ann):
    page = ann.get("/events/new").get_data(as_text=True)
    assert "up to 20 MB: larger photos are scaled down." in page


def test_a_picture_is_kept_across_another_fields_error(app, ann):
    photo = phone_photo(orientation=6)
    refused = submit(ann, "/events/new", event_fields(title="", picture=upload(photo)),
                     content_type="multipart/form-data")
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Picture kept: IMG_2041.jpg." in page
    token = re.search(r'name="picture_kept" value="([^"]+)"', page).group(1)
    held = Path(app.instance_path) / "held"
    assert (held / token).read_bytes() == photo
    # Another account cannot use it.
    from ..helpers import log_in, make_account

    make_account(app, "bob@example.org", "bob")
    bob = app.test_client()
    log_in(bob, "bob@example.org")
    assert submit(bob, "/events/new", event_fields(picture_kept=token)).status_code == 302
    with app.app_context():
        assert Event.get().picture is None
    # Sent again without choosing it: the event has it, and it is no longer held.
    response = submit(ann, "/events/new", event_fields(picture_kept=token), content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    with app.app_context():
        event = Event.select().order_by(Event.id.desc()).get()
    assert [picture.size for picture in stored_pictures(app)] == [(1920, 2560)]
    assert event.picture and not (held / token).exists()


def test_held_pictures_expire_and_the_hourly_job_removes_them(app, ann):
    import os
    import time

    from mobilizon_lite.services import held_pictures

    refused = submit(ann, "/events/new", event_fields(title="", picture=upload(b"not yet checked", "a.jpg")),
                     content_type="multipart/form-data")
    token = re.search(r'name="picture_kept" value="([^"]+)"', refused.get_data(as_text=True)).group(1)
    held = Path(app.instance_path) / "held"
    with app.app_context():
        assert held_pictures.purge_held_pictures() == 0
        old = time.time() - held_pictures.HOLD_SECONDS - 60
        for path in held.iterdir():
            os.utime(path, (old, old))
        with app.test_request_context():
            assert held_pictures.held(1, token) is None
        # The scheduler's hourly job.
        from mobilizon_lite.scheduler import build_scheduler

        build_scheduler(app).get_job("purge_held_pictures").func()
    assert list(held.iterdir()) == []
