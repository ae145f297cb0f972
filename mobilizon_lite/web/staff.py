"""Who may use the administration pages: moderators and administrators, some pages administrators only."""
from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user, login_required


def staff_blueprint(name, import_name, url_prefix):
    """A blueprint whose every page needs a moderator or an administrator."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)

    @bp.before_request
    @login_required
    def require_staff():
        if not current_user.is_moderator:
            abort(403)

    return bp


def admin_only(view):
    """Refuse a moderator a page that changes how the whole instance runs."""
    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return guarded
