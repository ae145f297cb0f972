"""The form of group posts."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...models.groups import PostVisibility
from ...models.limits import DESCRIPTION_MAX, TITLE_MAX
from .base import SiteForm
from .events import labelled
from .pictures import PictureField

POST_VISIBILITY_LABELS = {
    PostVisibility.PUBLIC: _l("Public: anyone can read it, on the group's page and in its feed"),
    PostVisibility.MEMBERS: _l("Members only: only the group's members can read it"),
}


class PostForm(SiteForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the post a title.")), Length(max=TITLE_MAX)])
    body = TextAreaField(_l("Text"), description=_l("Markdown is allowed."),
                         validators=[Optional(), Length(max=DESCRIPTION_MAX)])
    picture = PictureField(_l("Picture"))
    remove_picture = BooleanField(_l("Remove the current picture"))
    visibility = RadioField(_l("Who can read it"), choices=labelled(POST_VISIBILITY_LABELS),
                            default=PostVisibility.PUBLIC)
    draft = BooleanField(_l("Draft: only the group's moderators see it until you publish it"))

    def post_data(self):
        """The fields as the posts service reads them."""
        return {"title": self.title.data, "body": self.body.data, "visibility": self.visibility.data,
                "draft": self.draft.data}
