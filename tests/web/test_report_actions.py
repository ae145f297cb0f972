"""What moderators do from a report: remove the content, suspend its author's account, block its author's
server; each in the moderation log and in the report's history."""
import pytest

from mobilizon_lite.models import Account, Actor, Event, ModerationLog, Report
from mobilizon_lite.models.reports import STATES
from mobilizon_lite.services import comments, moderation_log, reportables, reports
from mobilizon_lite.services.report_actions import REMOVABLE

from ..helpers import make_event, staff_clients, submit


@pytest.fixture
def staff(app):
    return staff_clients(app)


def reported(app, ap_id, reporter="boss"):
    """A report about ap_id by reporter's identity, made through the reports service."""
    with app.app_context():
        identity = Actor.get(Actor.preferred_username == reporter)
        return reports.report_as(identity, reportables.reportable(ap_id, {identity.id}), "spam", "")


def log_lines(app):
    with app.app_context():
        return [(line.action, line.target_type, line.reason)
                for line in ModerationLog.select().order_by(ModerationLog.id)]


def test_removing_the_reported_event(app, staff):
    event = make_event(app)
    report = reported(app, event.ap_id)
    path = f"/admin/reports/{report.id}"
    page = staff["moderator"].get(path).get_data(as_text=True)
    with app.app_context():
        item_id = report.items.get().id
    assert f"{path}/items/{item_id}/remove" in page and "Remove “Repair café”" in page
    assert f"{path}/block" not in page  # ann is ours: no server to block
    removal = submit(staff["moderator"], f"{path}/items/{item_id}/remove", {"reason": "Scam"}, page=path)
    assert removal.status_code == 302
    with app.app_context():
        assert Event.get_or_none(Event.id == event.id) is None
    assert log_lines(app) == [("remove", "event", "Scam"), ("report_remove_event", "report", "Scam")]
    page = staff["moderator"].get(path).get_data(as_text=True)
    assert "no longer here" in page and f"{path}/items/{item_id}/remove" not in page
    assert "Reported event removed" in page and "report_remove_event" not in page
    # Once gone, it cannot be removed twice.
    response = submit(staff["moderator"], f"{path}/items/{item_id}/remove", {"reason": ""}, page=path)
    assert response.status_code == 404 and len(log_lines(app)) == 2


def test_suspending_the_author_of_a_reported_comment(app, staff):
    event = make_event(app)
    with app.app_context():
        comment = comments.comment_on(event, Actor.get(Actor.preferred_username == "ann"), "Rude words")
    report = reported(app, comment.ap_id)
    path = f"/admin/reports/{report.id}"
    assert "Suspend the account of @ann" in staff["admin"].get(path).get_data(as_text=True)
    assert submit(staff["admin"], f"{path}/suspend", {"reason": "Insults"}, page=path).status_code == 302
    with app.app_context():
        assert Account.get(Account.email == "ann@example.org").suspended_at is not None
    assert log_lines(app) == [("suspend", "account", "Insults"), ("report_suspend_author", "report", "Insults")]
    assert "Suspend the account" not in staff["admin"].get(path).get_data(as_text=True)
    assert submit(staff["admin"], f"{path}/suspend", {"reason": ""}, page=path).status_code == 400


def test_blocking_the_server_of_a_reported_remote_identity(app, staff):
    with app.app_context():
        Actor.create(preferred_username="bob", domain="spam.example", ap_id="https://spam.example/users/bob")
    report = reported(app, "https://spam.example/users/bob")
    path = f"/admin/reports/{report.id}"
    page = staff["moderator"].get(path).get_data(as_text=True)
    assert "Block spam.example" in page and f"{path}/suspend" not in page
    response = submit(staff["moderator"], f"{path}/block", {"severity": "silence", "reason": "Adverts"}, page=path)
    assert response.status_code == 302
    assert log_lines(app)[-2:] == [("block_domain", "domain", "Adverts"), ("report_block_domain", "report", "Adverts")]
    assert "spam.example" in staff["moderator"].get("/admin/instances/").get_data(as_text=True)
    assert submit(staff["moderator"], f"{path}/block", {"severity": "obliterate"}, page=path).status_code == 400


def test_actions_need_a_moderator_and_an_action_that_fits(app, staff):
    event = make_event(app)
    report = reported(app, event.ap_id)
    path = f"/admin/reports/{report.id}"
    with app.app_context():
        item_id = report.items.get().id
    for action, data in ((f"items/{item_id}/remove", {}), ("suspend", {}), ("block", {"severity": "suspend"})):
        assert submit(staff["user"], f"{path}/{action}", data, page="/").status_code == 403, action
    assert submit(staff["moderator"], f"{path}/block", {"severity": "suspend"}, page=path).status_code == 400
    assert submit(staff["moderator"], f"{path}/items/999999/remove", {}, page=path).status_code == 404
    assert submit(staff["moderator"], "/admin/reports/999999/suspend", {}, page=path).status_code == 404
    with app.app_context():
        assert Event.get_or_none(Event.id == event.id) is not None
        assert Account.get(Account.email == "ann@example.org").suspended_at is None
        assert Report.get_by_id(report.id).state == "open"
    assert log_lines(app) == []


def test_every_action_of_a_report_reads_as_a_phrase(app):
    with app.app_context():
        codes = [f"report_{state}" for state in STATES] + [f"report_remove_{kind}" for kind in REMOVABLE]
        codes += ["report_note", "report_suspend_author", "report_block_domain"]
        assert [code for code in codes if str(moderation_log.action_label(code)) == code] == []


def test_a_french_moderator_reads_the_report_its_history_and_the_log_in_french(app, staff):
    event = make_event(app)
    report = reported(app, event.ap_id)
    path = f"/admin/reports/{report.id}"
    with app.app_context():
        Account.update(locale="fr").where(Account.email == "mod@example.org").execute()
        item_id = report.items.get().id
    submit(staff["moderator"], f"{path}/items/{item_id}/remove", {"reason": "Arnaque"}, page=path)
    page = staff["moderator"].get(path).get_data(as_text=True)
    # The heading is the noun, the state a report's: "Signaler" is the verb of the Report links.
    assert "<title>Signalement" in page and "<h1>Signalement <span" in page and ">Ouvert</span>" in page
    assert "Ce qui est signalé" in page and "Événement signalé retiré · Arnaque" in page
    assert "report_remove_event" not in page
    log = staff["moderator"].get("/admin/log").get_data(as_text=True)
    assert "<td>Contenu retiré</td>" in log and "<td>Événement signalé retiré</td>" in log
    assert "<td>Événement: Repair café</td>" in log and "<td>Signalement: Repair café</td>" in log
    queue = staff["moderator"].get("/admin/reports?state=closed").get_data(as_text=True)
    assert "<title>Signalements" in queue and "Clos (0)" in queue
