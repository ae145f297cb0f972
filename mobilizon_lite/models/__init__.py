"""Database tables, one topic per module."""
from .accounts import Account, PasswordResetToken
from .actors import Actor
from .comments import Comment
from .digests import GroupDigest
from .event_messages import EventMessage
from .events import Event
from .federation import Activity, Delivery, DomainHealth, Follow, InboxHealth, InboxItem, Tombstone
from .feeds import FeedToken
from .groups import Discussion, DiscussionComment, Member, Post, Resource, Todo, TodoList
from .instance import Invite, Setting
from .mail import OutgoingMail
from .moderation import DomainBlock, ModerationLog
from .participation import EventInvitation, Participation
from .reports import Report, ReportItem, ReportNote
from .throttles import RateLimitHit, Throttle

__all__ = ["Account", "Activity", "Actor", "Comment", "Delivery", "Discussion", "DiscussionComment", "DomainBlock",
           "DomainHealth", "Event", "EventInvitation", "EventMessage", "FeedToken", "Follow", "GroupDigest",
           "InboxHealth", "InboxItem", "Invite", "Member", "ModerationLog", "OutgoingMail", "Participation",
           "PasswordResetToken",
           "Post", "RateLimitHit", "Report", "ReportItem", "ReportNote", "Resource", "Setting", "Throttle", "Todo",
           "TodoList", "Tombstone"]
