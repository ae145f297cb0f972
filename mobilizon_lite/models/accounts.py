"""Accounts (the person who logs in) and their password reset tokens."""
from peewee import CharField, ForeignKeyField, IntegerField

from ..db import BaseModel, UTCDateTimeField, utcnow

ROLE_USER = "user"
ROLE_MODERATOR = "moderator"
ROLE_ADMIN = "admin"
ROLES = (ROLE_USER, ROLE_MODERATOR, ROLE_ADMIN)


class Account(BaseModel):
    email = CharField(max_length=254, unique=True)
    password_hash = CharField(max_length=255)
    role = CharField(max_length=16, default=ROLE_USER)
    locale = CharField(max_length=8, null=True)
    # Bumped whenever every existing session must stop working (password change or reset).
    session_version = IntegerField(default=1)
    created_at = UTCDateTimeField(default=utcnow)
    # Set when the owner of the address followed the sign-up link (or an admin made the account):
    # until then nobody can log in with it.
    confirmed_at = UTCDateTimeField(null=True)
    # Set by a moderator: a suspended account cannot log in and its identities' pages are gone.
    suspended_at = UTCDateTimeField(null=True)
    # Set at each successful log-in (shown to moderators).
    last_login_at = UTCDateTimeField(null=True)
    # Set when a moderator deleted the account: its email and password are gone, the row stays so
    # that its identities (and their usernames) stay taken.
    deleted_at = UTCDateTimeField(null=True)
    # Minutes before an event at which its reminders are emailed, comma-separated ("" for none).
    reminder_offsets = CharField(max_length=64, default="1440,60")

    # Read by Flask-Login. The session version in the id is what lets a password change
    # end every other session and remember-me cookie.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self):
        return f"{self.id}:{self.session_version}"

    @property
    def is_admin(self):
        return self.role == ROLE_ADMIN

    @property
    def is_moderator(self):
        """Moderators and administrators handle reports, users and content."""
        return self.role in (ROLE_MODERATOR, ROLE_ADMIN)


class PasswordResetToken(BaseModel):
    account = ForeignKeyField(Account, backref="reset_tokens", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    created_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField(index=True)
    used_at = UTCDateTimeField(null=True)
