"""Database tables, one topic per module."""
from .accounts import Account, PasswordResetToken
from .actors import Actor
from .instance import Invite, Setting

ALL_MODELS = [Account, Actor, PasswordResetToken, Invite, Setting]
