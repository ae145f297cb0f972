"""The picture field of every form that takes one (banners, avatars): its help says how big a picture may
be, from the instance's settings."""
from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_wtf.file import FileField


def _picture_help():
    megabytes = max(1, current_app.config["PICTURE_MAX_BYTES"] // 1_000_000)
    return _("JPEG, PNG, WebP or GIF, up to %(size)d MB: larger photos are scaled down.", size=megabytes)


class PictureField(FileField):
    """A file field for a picture, described by its size limit."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("description", LazyString(_picture_help))
        super().__init__(label, validators, **kwargs)
