"""Password rules (length, the commonest passwords refused) and password hashes."""
import functools
from importlib.resources import files

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

from .errors import Invalid

PASSWORD_MIN = 10
PASSWORD_MAX = 256


@functools.cache
def common_passwords():
    """The commonest passwords, lowercased: data/common_passwords.txt is the list of about 20,000 that
    Django ships (made by Royce Williams from leaked password sets). Only those long enough to pass
    the length rule are kept in memory."""
    text = (files("mobilizon_lite") / "data" / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if len(line) >= PASSWORD_MIN)


def password_problem(password):
    """Why password is refused (a sentence for its owner), or None when it is acceptable."""
    password = password or ""
    if len(password) < PASSWORD_MIN:
        return _("Use at least %(min)d characters: short passwords are guessed in minutes.", min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return _("Use at most %(max)d characters.", max=PASSWORD_MAX)
    if password.strip().lower() in common_passwords():
        return _("This password is one of the commonest, which are the first ones anybody guessing tries. "
                 "Choose another one, for instance a few unrelated words.")
    return None


def validate_password(password, field="password"):
    """Raise Invalid (saying why) unless password is long enough, not too long, and not a common one."""
    problem = password_problem(password)
    if problem:
        raise Invalid(problem, field)


def hash_password(password):
    """The stored form of a password, made with PASSWORD_HASH_METHOD. Checking reads the method from
    the stored hash, so hashes made under an earlier setting keep working."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
