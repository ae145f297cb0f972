"""Telling another server about a report on its content: a Flag from the instance actor, never the reporter."""
from ..activitypub.convert.flag import flag_to_ap
from ..activitypub.publish import new_activity_id, publish
from ..db import utcnow
from .actors import instance_actor


def forward(report):
    """Queue the Flag about report's items of the reported actor's server, in the caller's transaction;
    nothing when the reported actor is ours."""
    reported = report.reported
    if reported is None or reported.is_local:
        return None
    named = [item.ap_id for item in report.items if item.domain == reported.domain and item.ap_id != reported.ap_id]
    sender = instance_actor()
    activity = publish(sender, flag_to_ap(new_activity_id(), sender, reported, named, report.comment), [reported],
                       listed=False)
    report.forwarded_at = utcnow()
    report.save()
    return activity
