"""Database tables, one topic per module."""
from .accounts import Account, PasswordResetToken
from .actors import Actor
from .comments import Comment
from .digests import GroupDigest
from .event_messages import EventMessage
from .events import Event, EventOccurrence, OccurrenceOverride
from .federation import Activity, Delivery, DomainHealth, Follow, InboxHealth, InboxItem, Tombstone
from .feeds import FeedToken
from .groups import Discussion, DiscussionComment, Member, Post, Resource, Todo, TodoList
from .imports import CalendarSubscription, ImportedEvent
from .instance import Invite, Setting
from .mail import OutgoingMail
from .moderation import DomainBlock, ModerationLog
from .notifications import NotificationSetting
from .participation import EventInvitation, Participation
from .places import Place
from .processes import FormSubmission, Lease
from .reminders import Reminder
from .reports import Report, ReportItem, ReportNote
from .throttles import RateLimitHit, Throttle

__all__ = ["Account", "Activity", "Actor", "CalendarSubscription", "Comment",
           "Delivery", "Discussion", "DiscussionComment",
           "DomainBlock", "DomainHealth", "Event", "EventInvitation", "EventMessage", "EventOccurrence",
           "FeedToken", "Follow", "FormSubmission", "GroupDigest", "ImportedEvent", "InboxHealth", "InboxItem",
           "Invite", "Lease", "Member", "ModerationLog", "OccurrenceOverride",
           "NotificationSetting", "OutgoingMail",
           "Participation", "PasswordResetToken", "Place", "Post", "RateLimitHit", "Reminder", "Report", "ReportItem",
           "ReportNote", "Resource", "Setting", "Throttle", "Todo", "TodoList", "Tombstone"]
