"""Event banners: checked to be real images, stripped of metadata, stored with generated names, each with
its card's thumbnail (thumbnails.py)."""
import io
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..memory import return_freed_memory
from . import thumbnails
from .errors import Invalid

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_PIXELS = 40_000_000  # about a 7000×5700 photo, or the frames of an animation together


def upload_folder():
    """Where pictures are stored: instance/uploads/."""
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _reencode(image, image_format):
    # Re-encoding drops EXIF data, GPS positions included, that phones put in photos.
    output = io.BytesIO()
    if image_format == "GIF":
        image.save(output, "GIF", save_all=True)
        return output.getvalue()
    max_width = current_app.config["PICTURE_MAX_WIDTH"]
    if image.width > max_width:
        image = image.resize((max_width, round(image.height * max_width / image.width)))
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.save(output, image_format, **({"quality": 85} if image_format != "PNG" else {}))
    return output.getvalue()


def save_picture(stream, field="picture"):
    """Store an uploaded image and return its file name; Invalid when it is not one we accept."""
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


def _checked_and_reencoded(data, field):
    # Pillow costs memory in every process that imports it: only a process receiving a picture needs it.
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        image_format = image.format
        # Every frame of an animation is decoded: count them all, before decoding any.
        if image.width * image.height * getattr(image, "n_frames", 1) > MAX_PIXELS:
            raise Invalid(_("This picture is too large: at most %(mp)d megapixels in all.",
                            mp=MAX_PIXELS // 1_000_000), field)
        max_width = current_app.config["PICTURE_MAX_WIDTH"]
        if image_format == "JPEG" and image.width > max_width:
            # A JPEG decodes directly at a half, quarter or eighth of its size: a 12-megapixel photo
            # then takes 12 MB rather than 48 MB, and is resized to max_width from there.
            image.draft(None, (max_width, max(1, image.height * max_width // image.width)))
        image.load()
        # From the decoded image, before an animation's frames are gone through to re-encode it.
        thumbnail = thumbnails.thumbnail_bytes(image)
        return _reencode(image, image_format), image_format, thumbnail
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Invalid(_("This file is not a picture we can read. Use a JPEG, PNG, WebP or GIF."), field) from None


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
