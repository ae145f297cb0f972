"""The picture field of every form that takes one (banners, avatars): its help says how big a picture may
be, from the instance's settings; a picture sent with a form shown again for another field's error is
held (services/held_pictures) and named on the form, to be used when it is sent again without one."""
import io

from flask import after_this_request, current_app, request
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from werkzeug.datastructures import FileStorage

from ...services import held_pictures


def _picture_help():
    megabytes = max(1, current_app.config["PICTURE_MAX_BYTES"] // 1_000_000)
    return _("JPEG, PNG, WebP or GIF, up to %(size)d MB: larger photos are scaled down.", size=megabytes)


class PictureField(FileField):
    """A file field for a picture, described by its size limit, that keeps a picture across a form error."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("description", LazyString(_picture_help))
        super().__init__(label, validators, **kwargs)
        self.kept_token, self.kept_name = None, None

    @property
    def kept_field(self):
        return f"{self.name}_kept"

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data or not current_user.is_authenticated:
            return
        token = request.form.get(self.kept_field, "")
        kept = held_pictures.held(current_user.id, token)
        if kept is None:
            return
        data, self.kept_name = kept
        self.kept_token, self.data = token, FileStorage(io.BytesIO(data), filename=self.kept_name)

        @after_this_request
        def release_when_saved(response):
            if response.status_code in (302, 303):
                held_pictures.release(token)
            return response

    def keep(self):
        """Hold the picture sent (when it is one and has no error of its own) for the form shown again."""
        if self.kept_token or not self.data or self.errors or not current_user.is_authenticated:
            return
        token = held_pictures.hold(current_user.id, self.data.stream, self.data.filename)
        if token:
            self.kept_token, self.kept_name = token, (self.data.filename or "")[:held_pictures.NAME_MAX]

    def __call__(self, **kwargs):
        html = super().__call__(**kwargs)
        if not self.kept_token:
            return html
        note = escape(_("Picture kept: %(name)s. Choose another one only to replace it.", name=self.kept_name))
        return Markup('{}<input type="hidden" name="{}" value="{}"><span class="help">{}</span>').format(
            html, self.kept_field, self.kept_token, note)
