"""What moderators do from a report: remove the content, suspend its author's account, block its author's
server; each in the moderation log and in the report's history."""
import pytest

from mobilizon_lite.models import Account, Actor, Event, ModerationLog, Report
from mobilizon_lite.services import comments, reportables, reports

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
    assert "report_remove_event" in page
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
