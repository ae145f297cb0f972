"""Each stored picture gets its card's thumbnail once, at upload: a still WebP of the card's frame, at most
400 px wide and never enlarged; it goes with its picture; one stored before thumbnails is made on demand."""
import contextlib
import io
import random
import resource
import signal

import pytest
from PIL import Image

from mobilizon_lite.services import thumbnails
from mobilizon_lite.services.errors import Invalid
from mobilizon_lite.services.pictures import delete_picture, save_picture, upload_folder


def encoded(image, image_format, **options):
    data = io.BytesIO()
    image.save(data, image_format, **options)
    data.seek(0)
    return data


def banded(size, colours):
    """An image of horizontal bands of colours, top to bottom."""
    image = Image.new("RGB", size)
    band = size[1] // len(colours)
    for index, colour in enumerate(colours):
        image.paste(colour, (0, index * band, size[0], (index + 1) * band))
    return image


def close(got, wanted, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(got, wanted, strict=False))


def thumbnail_of(app, data):
    """(stored name, the thumbnail opened) of data saved as an upload."""
    with app.app_context():
        name = save_picture(data)
        path = upload_folder() / thumbnails.thumbnail_name(name)
    return name, Image.open(path)


@pytest.mark.parametrize("size, expected", [
    ((1600, 900), (400, 225)),  # the frame's shape: scaled down
    ((3000, 1000), (400, 225)),  # a wide banner: its middle
    ((300, 200), (300, 169)),  # narrower than a card: never enlarged
])
def test_the_thumbnail_is_made_at_upload_at_most_400_wide(app, size, expected):
    name, thumbnail = thumbnail_of(app, encoded(Image.new("RGB", size, (30, 140, 60)), "JPEG"))
    with thumbnail:
        assert thumbnail.format == "WEBP" and thumbnail.size == expected
        assert close(thumbnail.getpixel((5, 5)), (30, 140, 60))
    assert thumbnails.thumbnail_name(name) == f"{name}.thumb.webp"


def test_a_tall_poster_shows_its_middle(app):
    poster = banded((800, 1500), [(220, 20, 20), (20, 20, 220), (20, 180, 20)])
    _name, thumbnail = thumbnail_of(app, encoded(poster, "PNG"))
    with thumbnail:
        assert thumbnail.size == (400, 225)
        assert close(thumbnail.getpixel((200, 5)), (20, 20, 220))
        assert close(thumbnail.getpixel((200, 220)), (20, 20, 220))


def test_an_animated_gif_gets_a_still_thumbnail_of_its_first_frame(app):
    frames = [Image.new("P", (120, 90), colour) for colour in (1, 2, 3)]
    for frame in frames:
        frame.putpalette([0, 0, 0, 250, 0, 0, 0, 250, 0, 0, 0, 250] + [0] * (256 * 3 - 12))
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    gif.seek(0)
    name, thumbnail = thumbnail_of(app, gif)
    with thumbnail:
        assert thumbnail.size == (120, 68) and getattr(thumbnail, "n_frames", 1) == 1
        assert not getattr(thumbnail, "is_animated", False)
        assert close(thumbnail.convert("RGB").getpixel((60, 34)), (250, 0, 0))
    with app.app_context(), Image.open(upload_folder() / name) as stored:
        assert stored.n_frames == 3  # the picture itself stays animated


def test_the_thumbnail_goes_with_its_picture(app):
    with app.app_context():
        name = save_picture(encoded(Image.new("RGB", (500, 500)), "PNG"))
        folder = upload_folder()
        assert (folder / thumbnails.thumbnail_name(name)).is_file()
        delete_picture(name)
        assert sorted(folder.iterdir()) == []


def test_a_picture_stored_without_thumbnail_gets_one_on_demand(app):
    with app.app_context():
        name = save_picture(encoded(Image.new("RGB", (1920, 1080), (10, 10, 200)), "JPEG"))
        folder = upload_folder()
    (folder / thumbnails.thumbnail_name(name)).unlink()
    assert thumbnails.ensure_thumbnail(folder, thumbnails.thumbnail_name(name))
    with Image.open(folder / thumbnails.thumbnail_name(name)) as thumbnail:
        assert thumbnail.size == (400, 225)
    assert [path.name for path in folder.iterdir() if path.name.startswith(".")] == []  # no partial file left


@pytest.mark.parametrize("asked", [
    "0123456789abcdef0123456789abcdef.jpg.thumb.webp",  # no such picture
    "../0123456789abcdef0123456789abcdef.jpg.thumb.webp",
    "config.py.thumb.webp",
    "0123456789abcdef0123456789abcdef.jpg",
    ".thumb.webp",
])
def test_only_a_stored_pictures_thumbnail_is_made(app, asked):
    with app.app_context():
        folder = upload_folder()
    assert not thumbnails.ensure_thumbnail(folder, asked)
    assert list(folder.iterdir()) == []


def test_an_unreadable_picture_gets_no_thumbnail(app):
    with app.app_context():
        folder = upload_folder()
    name = "0123456789abcdef0123456789abcdef.png"
    (folder / name).write_bytes(b"not a picture at all")
    assert not thumbnails.ensure_thumbnail(folder, thumbnails.thumbnail_name(name))
    assert thumbnails.make_missing(folder) == (1, 0, 1)
    assert sorted(path.name for path in folder.iterdir()) == [name]


@contextlib.contextmanager
def files_at_most(size):
    """Within the block, writing a file past size bytes fails (EFBIG), as it does on a full disk."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the error rather than the process killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


# Black and white noise: 12 KB as a one-bit PNG, 60 KB as its WebP thumbnail. Under a 30 KB limit the
# picture is written and its thumbnail is not.
NOISE = Image.frombytes("1", (400, 225), random.Random(1).randbytes(400 * 225 // 8))
LIMIT = 30_000


def test_a_picture_whose_thumbnail_cannot_be_written_is_refused_and_leaves_nothing(app):
    with app.app_context():
        folder = upload_folder()
        with files_at_most(LIMIT), pytest.raises(Invalid) as refused:
            save_picture(encoded(NOISE, "PNG"))
        assert "The picture could not be stored." in str(refused.value)
        assert list(folder.iterdir()) == []
        name = save_picture(encoded(NOISE, "PNG"))  # once the disk has room again
    assert (folder / name).stat().st_size < LIMIT < (folder / thumbnails.thumbnail_name(name)).stat().st_size


def test_a_thumbnail_that_cannot_be_written_on_demand_is_a_404_and_leaves_no_partial_file(app):
    with app.app_context():
        name = save_picture(encoded(NOISE, "PNG"))
        folder = upload_folder()
    thumbnail = thumbnails.thumbnail_name(name)
    (folder / thumbnail).unlink()
    client = app.test_client()
    with files_at_most(LIMIT):
        response = client.get(f"/uploads/{thumbnail}")
    assert response.status_code == 404
    assert sorted(path.name for path in folder.iterdir()) == [name]
    response = client.get(f"/uploads/{thumbnail}")
    response.close()
    assert response.status_code == 200
