"""The forms of a group's todo lists: a list's title, a task, a task done or not."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from ...models.limits import TITLE_MAX
from .base import SiteForm, strip


def _member_id(value):
    return int(value) if value not in (None, "") else None


class TodoListForm(SiteForm):
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(_l("Give it a title.")),
                                                                  Length(max=TITLE_MAX)])


class TodoForm(SiteForm):
    """A task; assignee offers the group's members only (see todos.assignees)."""
    title = StringField(_l("Task"), filters=[strip], validators=[DataRequired(_l("Give it a title.")),
                                                                 Length(max=TITLE_MAX)])
    assignee = SelectField(_l("Assigned to"), coerce=_member_id, choices=[])
    due_on = DateField(_l("Due date"), validators=[Optional()])


def todo_form(members, todo=None):
    """The task form offering members as assignees, filled from todo on first display."""
    form = TodoForm()
    form.assignee.choices = [("", _l("Nobody"))] + [
        (member.id, f"{member.display_name} (@{member.preferred_username})") for member in members]
    if todo is not None and not form.is_submitted():
        form.process(formdata=None, data={"title": todo.title, "assignee": todo.assigned_to_id,
                                          "due_on": todo.due_on})
    return form


class DoneForm(SiteForm):
    done = HiddenField(validators=[AnyOf(["0", "1"])])
