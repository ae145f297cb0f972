"""The in-process scheduler: timed jobs, each run inside an app context."""
import logging
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import ConflictingIdError
from apscheduler.schedulers.background import BackgroundScheduler

from . import job_runs, mail_queue
from .activitypub import delivery
from .activitypub.publish import purge_published
from .backups.daily import daily_backup
from .db import utcnow
from .services import (
    accounts,
    anonymous,
    calendar_import,
    calendar_subscriptions,
    group_digest,
    held_pictures,
    inbound,
    occurrences,
    rate_limits,
    reminder_mail,
    reminders,
    reports,
    submissions,
    throttles,
)

log = logging.getLogger(__name__)

JOB_DEFAULTS = {
    # APScheduler's default grace of 1 s silently skips runs on a busy Raspberry Pi.
    "misfire_grace_time": 15 * 60,
    "coalesce": True,
    "max_instances": 1,
}


# app.extensions key of the process's scheduler_lease.SchedulerLease, when it takes part in one.
LEASE = "mobilizon_lite.scheduler_lease"

# The jobs that arriving work starts (job_runs.KickedJob): their function, name and executor.
KICKED = {delivery.DRAIN_JOB: (delivery.drain_all, "Deliver queued activities", "default"),
          inbound.HANDLE_JOB: (inbound.handle_received, "Handle received activities", "default"),
          mail_queue.SEND_JOB: (mail_queue.send_queued, "Send queued mail", "mail")}


def _in_context(app, job, timed=True):
    def run():
        lease = app.extensions.get(LEASE)
        if timed and lease is not None and not lease.held:
            # The lease ran out while this run waited (a process paused, or starved of CPU): whoever holds
            # it now runs the job.
            log.warning("job %s not run: this process no longer holds the scheduler lease", job.__name__)
            return
        with app.app_context():
            result = job()
        log.debug("job %s done: %r", job.__name__, result)

    run.__name__ = job.__name__
    return run


def build_scheduler(app, jobs=True):
    """A scheduler wired with the app's jobs (none with jobs=False: add_jobs adds them later, once this
    process holds the scheduler lease); the caller starts it (never create_app)."""
    # APScheduler logs every run at INFO: two lines every 30 s for the delivery queue alone, too
    # many for an SD card. Failures and missed runs still come through (ERROR and WARNING).
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    scheduler = BackgroundScheduler(
        # Mail has its own thread: a page's email leaves within a second even while deliveries and the
        # inbox keep the two shared ones busy.
        executors={"default": ThreadPoolExecutor(2), "mail": ThreadPoolExecutor(1)},
        job_defaults=JOB_DEFAULTS,
        timezone="UTC",
    )
    # Publishing nudges the drain job through the app, so the running scheduler must be findable.
    app.extensions["scheduler"] = scheduler
    app.extensions[job_runs.RUN_ONCE] = lambda job_id: _run_once(app, scheduler, job_id)
    if jobs:
        add_jobs(app, scheduler)
    return scheduler


def add_jobs(app, scheduler):
    """Add every timed job of the app to scheduler (the one process holding the lease runs them)."""
    for job, name in ((accounts.purge_expired_tokens, "Purge expired reset tokens and unconfirmed sign-ups"),
                      (anonymous.purge_unconfirmed, "Purge unconfirmed anonymous participations"),
                      (throttles.purge_throttles, "Forget failed log-ins and requests a day old"),
                      (rate_limits.purge_rate_limits, "Forget creations counted by the rate limits"),
                      (submissions.purge_submissions, "Forget the tokens of create forms posted a day ago"),
                      (reports.purge_unconfirmed_reports, "Purge visitors' reports whose address was never confirmed"),
                      (inbound.purge_received, "Purge old received activities and tombstones"),
                      (purge_published, "Purge old deliveries and published activities"),
                      (mail_queue.purge_mail, "Purge mail sent or given up long ago"),
                      (calendar_import.purge_held, "Forget calendars held for an import never confirmed"),
                      (held_pictures.purge_held_pictures, "Remove pictures held for forms never sent again"),
                      # Hourly: a digest missed while the server was down goes out within the hour.
                      (group_digest.send_group_digests, "Email the daily digests of groups' new events")):
        scheduler.add_job(_in_context(app, job), "interval", hours=1, id=job.__name__, name=name,
                          replace_existing=True)
    scheduler.add_job(_in_context(app, delivery.drain_all), "interval", seconds=app.config["DELIVERY_INTERVAL"],
                      id=delivery.DRAIN_JOB, name=KICKED[delivery.DRAIN_JOB][1], replace_existing=True,
                      max_instances=2)
    # Storing a received activity starts this job too; the interval brings the retries. Both jobs are
    # started by kicks: a run started as the previous one ends (before the executor counts it done)
    # would be refused with a warning, so two are allowed, and KickedJob.run lets only one work.
    scheduler.add_job(_in_context(app, inbound.handle_received), "interval", seconds=app.config["INBOX_INTERVAL"],
                      id=inbound.HANDLE_JOB, name=KICKED[inbound.HANDLE_JOB][1], replace_existing=True,
                      max_instances=2)
    # Queuing a mail starts this job too (within a second); the interval brings the retries.
    scheduler.add_job(_in_context(app, mail_queue.send_queued), "interval", seconds=app.config["MAIL_INTERVAL"],
                      id=mail_queue.SEND_JOB, name=KICKED[mail_queue.SEND_JOB][1], replace_existing=True,
                      max_instances=2, executor="mail")
    # Reminders are rows: a run after a restart finds those that fell due meanwhile (too_late drops stale ones).
    # Without a trigger: once, as the scheduler starts.
    scheduler.add_job(_in_context(app, reminders.sync_upcoming), id="sync_upcoming",
                      name="Make the reminders missing for events ahead", replace_existing=True)
    scheduler.add_job(_in_context(app, reminder_mail.send_due_reminders), "interval",
                      seconds=app.config["REMINDER_INTERVAL"], id="send_due_reminders",
                      name="Email the reminders due before events", replace_existing=True)
    # Repeated events: a series whose shown date is over moves on to its next within minutes; once a
    # day (and as the scheduler starts) every series' dates are expanded a year ahead.
    scheduler.add_job(_in_context(app, occurrences.advance_series), "interval", minutes=5, id="advance_series",
                      name="Move repeated events on to their next date", replace_existing=True)
    scheduler.add_job(_in_context(app, occurrences.refresh_series), "interval", hours=24, id="refresh_series",
                      name="Keep repeated events' dates a year ahead", replace_existing=True,
                      next_run_time=datetime.now(UTC))
    # Subscribed calendars: each is due on its own interval; a run syncs a few, one at a time.
    scheduler.add_job(_in_context(app, calendar_subscriptions.sync_due_subscriptions), "interval", minutes=5,
                      id="sync_due_subscriptions", name="Fetch the subscribed calendars that are due",
                      replace_existing=True)
    if app.config["BACKUP_DAILY"]:
        # Hourly: the day's backup is made by the first run of the day, even after the server was down.
        scheduler.add_job(_in_context(app, daily_backup), "interval", hours=1, id="daily_backup",
                          name="Make the day's backup and keep the BACKUP_DAILY latest",
                          replace_existing=True)


def remove_jobs(scheduler):
    """Remove every job from scheduler (its process no longer holds the lease); runs going on finish."""
    scheduler.remove_all_jobs()


def _run_once(app, scheduler, job_id):
    """Run a kicked job once, now, in a process whose scheduler lacks it (another holds the lease): the
    work that arrived here starts at once, its rows claimed (claims.py) as every drainer's are."""
    job, name, executor = KICKED[job_id]
    try:
        scheduler.add_job(_in_context(app, job, timed=False), id=job_id, name=name, executor=executor,
                          next_run_time=utcnow())
    except ConflictingIdError:
        pass  # another thread added it a moment ago: that run finds this work too
