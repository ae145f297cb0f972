"""Sizes of what events, participation messages and comments may hold, enforced alike by the form
readers (which refuse more) and the ActivityPub readers (which cut or drop more), so that what one
instance sends another keeps."""

TITLE_MAX = 200
# Characters as written: the form's Markdown, or the HTML another server sends.
DESCRIPTION_MAX = 20_000
ADDRESS_MAX = {"place_name": 200, "street": 200, "postal_code": 20, "locality": 100,
               "region": 100, "country": 100}
# Ids and addresses, ours and those other servers send.
URL_MAX = 2048
CAPACITY_MAX = 100_000
TAG_MAX_LENGTH = 40
TAGS_MAX = 10
LINKS_MAX = 10
LINK_LABEL_MAX = 100
TIMEZONE_MAX = 64
# A repeated event's RRULE value (the subset services/recurrence.py reads is far shorter) and its
# excluded dates.
RRULE_MAX = 200
EXDATES_MAX = 100
# Dates of one series changed or cancelled one by one.
OVERRIDES_MAX = 500
# The message to the organisers with a participation, typed here or carried by a Join.
MESSAGE_MAX = 1000
# A comment's Markdown as typed here, and its HTML, received (cut there) or made here (refused over it):
# 20 times the Markdown, well over what any character makes (an email autolink, 5 for 63).
COMMENT_MAX = 5000
COMMENT_HTML_MAX = 100_000
# An organisers' message to the participants: its subject, and its text as typed here (received
# ones are cut there).
EVENT_MESSAGE_SUBJECT_MAX = 200
EVENT_MESSAGE_MAX = 5000
# Why a moderator acted, kept in the moderation log.
REASON_MAX = 2000
# A calendar subscription: the validators kept from its server's last answer (ETag, Last-Modified;
# longer ones are not kept), the last error shown on its page, and how many one identity or group holds.
VALIDATOR_MAX = 200
SUBSCRIPTION_ERROR_MAX = 500
SUBSCRIPTIONS_MAX = 20
