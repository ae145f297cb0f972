"""Thumbnails of stored pictures for event cards: a 400 px wide WebP of the card's frame (16:9), made once
beside the picture (<name>.thumb.webp), so that listings never send the original file."""
import io
import logging
import os
import re
import secrets

# The card's frame: templates write these as the <img> size, the thumbnail fills it exactly.
WIDTH, HEIGHT = 400, 225
SUFFIX = ".thumb.webp"
# What save_picture names pictures: 32 hex digits and the format's extension.
PICTURE_NAME = re.compile(r"[0-9a-f]{32}\.(?:jpg|png|webp|gif)")
QUALITY = 80

log = logging.getLogger(__name__)


def thumbnail_name(name):
    """The thumbnail's file name of the stored picture name (None for no picture)."""
    return f"{name}{SUFFIX}" if name else None


def picture_of(thumbnail):
    """The stored picture's name a thumbnail name was made from, or None when it names no thumbnail."""
    name = thumbnail.removesuffix(SUFFIX)
    return name if name != thumbnail and PICTURE_NAME.fullmatch(name) else None


def _crop_box(width, height):
    """The largest box of the frame's shape within width × height, centred."""
    box_width = min(width, max(1, round(height * WIDTH / HEIGHT)))
    box_height = min(height, max(1, round(box_width * HEIGHT / WIDTH)))
    left, top = (width - box_width) // 2, (height - box_height) // 2
    return left, top, left + box_width, top + box_height


def thumbnail_bytes(image):
    """The WebP thumbnail of a Pillow image: its first frame, cropped to the frame's shape and at most
    WIDTH wide (never enlarged)."""
    from PIL import Image

    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)  # an animation's first frame: cards stay still
    if image.mode not in ("RGB", "RGBA"):
        alpha = image.mode in ("LA", "PA", "RGBa") or "transparency" in image.info
        image = image.convert("RGBA" if alpha else "RGB")
    box = _crop_box(*image.size)
    box_width, box_height = box[2] - box[0], box[3] - box[1]
    width = min(WIDTH, box_width)
    size = (width, max(1, round(width * box_height / box_width)))
    output = io.BytesIO()
    image.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0).save(output, "WEBP", quality=QUALITY)
    return output.getvalue()


def write_thumbnail(folder, name, data):
    """Store data as the thumbnail of folder/name, replacing it whole: a reader never sees half a file."""
    partial = folder / f".{name}.{secrets.token_hex(4)}.partial"
    try:
        partial.write_bytes(data)
        os.replace(partial, folder / thumbnail_name(name))
    except OSError:
        partial.unlink(missing_ok=True)  # a full disk leaves no half file behind
        raise


def make_thumbnail(folder, name):
    """Make the thumbnail of the stored picture folder/name from the file; False when it cannot be read,
    or its thumbnail cannot be written (a full disk: the card goes without, until a later request)."""
    from PIL import Image, UnidentifiedImageError

    from ..memory import return_freed_memory

    try:
        with Image.open(folder / name) as image:
            if image.format == "JPEG":
                # Decoded at the smallest scale still covering the thumbnail: a fraction of the memory.
                left, _top, right, _bottom = _crop_box(*image.size)
                scale = WIDTH / (right - left)
                image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
            data = thumbnail_bytes(image)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return False
    finally:
        return_freed_memory()
    try:
        write_thumbnail(folder, name, data)
    except OSError as error:
        log.warning("thumbnail of %s not written: %s", name, error)
        return False
    return True


def ensure_thumbnail(folder, thumbnail):
    """True when the thumbnail named thumbnail is stored in folder, made now from its picture (one stored
    before thumbnails existed) if need be; False for a name that is no thumbnail of a stored picture."""
    if (folder / thumbnail).is_file():
        return True
    name = picture_of(thumbnail)
    return name is not None and (folder / name).is_file() and make_thumbnail(folder, name)


def make_missing(folder, progress=lambda done, total: None):
    """Make the thumbnails missing in folder (pictures stored before thumbnails existed), telling
    progress(done, total) after each; returns (pictures stored, thumbnails made, pictures unreadable)."""
    names = {entry.name for entry in os.scandir(folder) if entry.is_file()}
    pictures = sorted(name for name in names if PICTURE_NAME.fullmatch(name))
    missing = [name for name in pictures if thumbnail_name(name) not in names]
    made = 0
    for done, name in enumerate(missing, 1):
        made += make_thumbnail(folder, name)
        progress(done, len(missing))
    return len(pictures), made, len(missing) - made
