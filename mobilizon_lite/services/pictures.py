"""Uploaded pictures (banners, avatars): checked to be real images, decoded within memory bounds, turned
upright, scaled down and re-encoded without their metadata, stored with generated names, each with its
card's thumbnail (thumbnails.py). The original file is never kept."""
import io
import secrets
import warnings
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..memory import return_freed_memory
from . import thumbnails
from .errors import Invalid

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# What is decoded, the frames of an animation together: about a 7000×5700 photo (a JPEG is decoded at a
# reduced scale first, so a 50-megapixel phone photo takes far less).
MAX_PIXELS = 40_000_000
# What a file may say it holds: beyond, Pillow refuses to open it (a decompression bomb, a few kB that
# would decode to gigabytes). Room for the 200-megapixel photos of recent phones.
MAX_DECLARED_PIXELS = 210_000_000
# An opaque PNG of more colours than this is a photo, kept as a JPEG: a tenth of the size.
PHOTO_COLOURS = 4096
# EXIF orientations that turn the picture a quarter: its width is then the stored height.
QUARTER_TURNS = {5, 6, 7, 8}
ORIENTATION_TAG = 0x0112
# What the stored file keeps of the original's information: an animation's timing, nothing else.
KEPT_INFO = ("duration", "loop", "transparency", "background", "disposal")


def upload_folder():
    """Where pictures are stored: instance/uploads/."""
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stored_format(image, image_format):
    """The format a picture is stored in: its own, but for a PNG photo (opaque, of many colours)."""
    if (image_format == "PNG" and image.mode in ("RGB", "L")
            and "transparency" not in image.info and image.getcolors(PHOTO_COLOURS) is None):
        return "JPEG"
    return image_format


def _reencode(image, image_format):
    # Re-encoding from the pixels alone drops what phones put in photos: EXIF data (GPS positions
    # included), XMP, comments, colour profiles.
    image.info = {key: value for key, value in image.info.items() if key in KEPT_INFO}
    output = io.BytesIO()
    if image_format == "GIF":
        image.save(output, "GIF", save_all=True)
        return output.getvalue()
    max_width = current_app.config["PICTURE_MAX_WIDTH"]
    if image.width > max_width:
        image = image.resize((max_width, max(1, round(image.height * max_width / image.width))),
                             reducing_gap=3.0)
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.save(output, image_format, **({"quality": 85} if image_format != "PNG" else {"optimize": True}))
    return output.getvalue()


def save_picture(stream, field="picture"):
    """Store an uploaded image, scaled down and re-encoded, and return its file name; Invalid when it is
    not one we accept."""
    limit = current_app.config["PICTURE_MAX_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        size = f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{max(limit // 1000, 1)} KB"
        raise Invalid(_("The picture is too big (at most %(size)s).", size=size), field)
    try:
        encoded, image_format, thumbnail = _checked_and_reencoded(data, field)
    finally:
        return_freed_memory()
    name = f"{secrets.token_hex(16)}.{FORMATS[image_format]}"
    folder = upload_folder()
    try:
        (folder / name).write_bytes(encoded)
        thumbnails.write_thumbnail(folder, name, thumbnail)
    except OSError:
        # A full disk: neither a picture without its thumbnail nor half a picture stays behind.
        (folder / name).unlink(missing_ok=True)
        raise Invalid(_("The picture could not be stored. Please try again in a few minutes."), field) from None
    return name


def _too_large(field):
    return Invalid(_("This picture is too large: at most %(mp)d megapixels in all.",
                     mp=MAX_PIXELS // 1_000_000), field)


def _checked_and_reencoded(data, field):
    # Pillow costs memory in every process that imports it: only a process receiving a picture needs it.
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_DECLARED_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow only warns of a file declaring between once and twice MAX_IMAGE_PIXELS: refused too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as probe:
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        image_format = image.format
        if image_format == "JPEG":
            _decode_reduced(image, current_app.config["PICTURE_MAX_WIDTH"])
        # Every frame of an animation is decoded: count them all, before decoding any.
        if image.width * image.height * getattr(image, "n_frames", 1) > MAX_PIXELS:
            raise _too_large(field)
        image.load()
        # Turned as the camera was held (its EXIF orientation), since the EXIF data does not stay.
        ImageOps.exif_transpose(image, in_place=True)
        # From the decoded image, before an animation's frames are gone through to re-encode it.
        thumbnail = thumbnails.thumbnail_bytes(image)
        stored_format = _stored_format(image, image_format)
        return _reencode(image, stored_format), stored_format, thumbnail
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Invalid(_("This file is not a picture we can read. Use a JPEG, PNG, WebP or GIF."), field) from None


def _decode_reduced(image, max_width):
    """Have a JPEG decode directly at a half, quarter or eighth of its size, still at least max_width wide
    once turned upright: a 12-megapixel photo then takes 3 MB to 12 MB rather than 48 MB."""
    width, height = image.size
    turned = image.getexif().get(ORIENTATION_TAG) in QUARTER_TURNS
    upright_width, upright_height = (height, width) if turned else (width, height)
    if upright_width <= max_width:
        return
    wanted = (max_width, max(1, upright_height * max_width // upright_width))
    image.draft(None, wanted[::-1] if turned else wanted)


def stored_picture(name):
    """A stored picture's bytes as a stream save_picture takes (its copy for another event), or None
    when it is gone."""
    try:
        return io.BytesIO((upload_folder() / name).read_bytes()) if name else None
    except OSError:
        return None


def delete_picture(name):
    """Remove a stored picture and its thumbnail, if they are there."""
    if name:
        folder = upload_folder()
        (folder / name).unlink(missing_ok=True)
        (folder / thumbnails.thumbnail_name(name)).unlink(missing_ok=True)
