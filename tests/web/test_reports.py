"""Reports: the Report links, the form for identities and for visitors (address confirmed by a link), the
moderators' emails, the queue at /admin/reports with its notes and states, and Flags from other servers."""
import html
import re
from urllib.parse import unquote

import pytest

from mobilizon_lite.models import Account, Actor, Comment, InboxItem, ModerationLog, Report, ReportItem, ReportNote
from mobilizon_lite.services import comments, inbound, posts
from mobilizon_lite.services.remote_reports import FLAGS_PER_DOMAIN_DAY

from ..helpers import BASE_URL, errors, make_event, make_group, staff_clients, submit

REMOTE = "https://remote.example"


@pytest.fixture
def staffed(mail_app):
    """ann (a user), a moderator reading French, an administrator: clients by role, and a visitor's."""
    clients = staff_clients(mail_app)
    with mail_app.app_context():
        Account.update(locale="fr").where(Account.email == "mod@example.org").execute()
    return {**clients, "visitor": mail_app.test_client()}


@pytest.fixture
def event(mail_app, staffed):
    return make_event(mail_app)


def reported_on(response):
    """The addresses the Report links of a page name."""
    links = re.findall(r'href="/report\?item=([^"]+)"', response.get_data(as_text=True))
    return {unquote(html.unescape(link)) for link in links}


def report_page(ap_id):
    return f"/report?item={ap_id}"


def reports_in(app):
    with app.app_context():
        return list(Report.select().order_by(Report.id))


def link_in(message, marker):
    line = next(line for line in message.get_content().splitlines() if marker in line)
    return line.strip().replace(BASE_URL, "")


def test_an_identity_reports_an_event_and_each_moderator_is_emailed(mail_app, staffed, event, smtp):
    assert event.ap_id in reported_on(staffed["user"].get(f"/events/{event.uuid}"))
    form = staffed["user"].get(report_page(event.ap_id)).get_data(as_text=True)
    assert "Repair café" in form and 'name="identity"' in form and 'name="email"' not in form
    assert 'name="forward"' not in form  # our own content: there is no other server to tell
    with mail_app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
    response = submit(staffed["user"], report_page(event.ap_id),
                      {"identity": ann.id, "reason": "spam", "comment": "Sells watches."})
    assert response.status_code == 200 and "The moderators have your report" in response.get_data(as_text=True)
    [report] = reports_in(mail_app)
    assert (report.state, report.reason, report.comment, report.reporter_id, report.reported_id) == (
        "open", "spam", "Sells watches.", ann.id, ann.id)
    with mail_app.app_context():
        [item] = list(report.items)
    assert (item.kind, item.ap_id, item.domain, item.label) == ("event", event.ap_id, None, "Repair café")

    messages = smtp.wait_for(2)
    assert sorted(message["To"] for message in messages) == ["mod@example.org", "root@example.org"]
    by_address = {message["To"]: message for message in messages}
    assert by_address["root@example.org"]["Subject"] == "New report on mobilizon_lite"
    assert by_address["mod@example.org"]["Subject"].startswith("Nouveau signalement")  # the moderator's language
    body = by_address["root@example.org"].get_content()
    assert "Repair café" in body and "Sells watches." in body and "Spam or advertising" in body
    assert link_in(by_address["root@example.org"], "/admin/reports/") == f"/admin/reports/{report.id}"


def test_a_visitor_reports_with_an_address_confirmed_by_a_link(mail_app, staffed, event, smtp):
    visitor = staffed["visitor"]
    form = visitor.get(report_page(event.ap_id)).get_data(as_text=True)
    assert 'name="email"' in form and 'name="identity"' not in form
    response = submit(visitor, report_page(event.ap_id),
                      {"email": "Witness@Example.org", "reason": "illegal", "comment": "Stolen goods"})
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    [message] = smtp.wait_for(1)
    assert message["To"] == "witness@example.org"
    [report] = reports_in(mail_app)
    assert report.state == "unconfirmed" and report.email == "witness@example.org" and report.reporter_id is None
    # Moderators see nothing yet.
    assert "Stolen goods" not in staffed["moderator"].get("/admin/reports").get_data(as_text=True)
    assert staffed["moderator"].get(f"/admin/reports/{report.id}").status_code == 404
    # Posting again at once sends no second email.
    submit(visitor, report_page(event.ap_id), {"email": "witness@example.org", "reason": "illegal"})

    confirm = link_in(message, "/report/confirm/")
    assert visitor.get(confirm).status_code == 200  # a mail scanner opening the link changes nothing
    assert reports_in(mail_app)[0].state == "unconfirmed"
    assert submit(visitor, confirm, {}).status_code == 302
    assert reports_in(mail_app)[0].state == "open"
    notices = smtp.wait_for(3)[1:]
    assert sorted(notice["To"] for notice in notices) == ["mod@example.org", "root@example.org"]
    assert len(smtp.messages) == 3
    assert submit(visitor, confirm, {}).status_code == 404  # single use
    page = staffed["moderator"].get(f"/admin/reports/{report.id}").get_data(as_text=True)
    assert "witness@example.org" in page and "Stolen goods" in page


def test_every_kind_of_content_has_its_report_link_and_form(mail_app, staffed, event):
    group = make_group(mail_app)
    with mail_app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        comment = comments.comment_on(event, ann, "Buy cheap watches")
        post = posts.create_post(group, ann, {"title": "Assemblée générale", "body": "Ordre du jour",
                                              "visibility": "public", "draft": False})
    pages = {event.ap_id: f"/events/{event.uuid}", comment.ap_id: f"/events/{event.uuid}",
             ann.ap_id: "/@ann", group.ap_id: "/@club", post.ap_id: f"/p/{post.slug}"}
    labels = {event.ap_id: "Repair café", comment.ap_id: "Buy cheap watches", ann.ap_id: "@ann",
              group.ap_id: "@club", post.ap_id: "Assemblée générale"}
    for ap_id, path in pages.items():
        assert ap_id in reported_on(staffed["visitor"].get(path)), (path, ap_id)
        form = staffed["visitor"].get(report_page(ap_id))
        assert form.status_code == 200 and labels[ap_id] in form.get_data(as_text=True), ap_id


def test_only_what_the_reporter_may_see_can_be_reported(mail_app, staffed):
    private = make_event(mail_app, visibility="private")
    for client in (staffed["visitor"], staffed["moderator"]):
        assert client.get(report_page(private.ap_id)).status_code == 404
    assert staffed["user"].get(report_page(private.ap_id)).status_code == 200  # its organiser sees it
    for item in ("", "https://elsewhere.example/nothing", f"{BASE_URL}/events/nope"):
        assert staffed["visitor"].get(report_page(item)).status_code == 404
    assert staffed["visitor"].get("/report").status_code == 404
    with mail_app.app_context():
        deleted = Comment.create(uuid="c0", ap_id=f"{BASE_URL}/c0", event=private.id,
                                 actor=Actor.get(Actor.preferred_username == "ann"), deleted_at=private.created_at)
    assert staffed["user"].get(report_page(deleted.ap_id)).status_code == 404


@pytest.mark.parametrize("fields, message", [
    ({"reason": "boredom"}, "Not a valid choice"),
    ({}, "Choose a reason."),
    ({"reason": "spam", "comment": "x" * 2001}, "2000"),
    ({"reason": "spam", "email": "not an address"}, "This is not a valid email address."),
])
def test_bad_input_shows_on_the_form_and_writes_nothing(mail_app, staffed, event, fields, message):
    response = submit(staffed["visitor"], report_page(event.ap_id), {"email": "w@example.org", **fields})
    assert response.status_code == 400
    assert any(message in error for error in errors(response)), errors(response)
    assert reports_in(mail_app) == []


def test_an_identity_of_someone_else_cannot_be_chosen(mail_app, staffed, event):
    with mail_app.app_context():
        boss = Actor.get(Actor.preferred_username == "boss")
    response = submit(staffed["user"], report_page(event.ap_id), {"identity": boss.id, "reason": "spam"})
    assert response.status_code == 400 and reports_in(mail_app) == []


def open_report(app, client, event, reason="spam"):
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
    submit(client, report_page(event.ap_id), {"identity": ann.id, "reason": reason})
    return reports_in(app)[-1]


def test_the_queue_notes_and_states_each_with_its_log_line(mail_app, staffed, event):
    report = open_report(mail_app, staffed["user"], event)
    moderator, admin = staffed["moderator"], staffed["admin"]
    queue = admin.get("/admin/reports").get_data(as_text=True)
    assert f"/admin/reports/{report.id}" in queue and "Open (1)" in queue and "Resolved (0)" in queue
    assert re.search(r'<a href="/admin/reports/\d+">Repair café</a>', queue)  # what was reported, by name
    page = admin.get(f"/admin/reports/{report.id}").get_data(as_text=True)
    assert "Repair café" in page and f'href="/events/{event.uuid}"' in page and "Nothing done yet." in page
    assert "<li>Event: <a" in page  # the kind of what is reported, in the moderator's language
    french = moderator.get(f"/admin/reports/{report.id}").get_data(as_text=True)
    assert "Rien n’a encore été fait." in french and "<li>Événement: <a" in french

    path = f"/admin/reports/{report.id}"
    assert submit(moderator, f"{path}/notes", {"text": "Asked ann about it."}, page=path).status_code == 302
    assert submit(moderator, f"{path}/state", {"state": "resolved", "reason": "Event edited"},
                  page=path).status_code == 302
    with mail_app.app_context():
        assert [note.text for note in ReportNote.select()] == ["Asked ann about it."]
        lines = [(line.moderator.email, line.action, line.target_type, line.target_id, line.reason)
                 for line in ModerationLog.select().order_by(ModerationLog.id)]
        assert Report.get_by_id(report.id).state == "resolved"
    assert lines == [("mod@example.org", "report_note", "report", str(report.id), "Asked ann about it."),
                     ("mod@example.org", "report_resolved", "report", str(report.id), "Event edited")]
    page = admin.get(path).get_data(as_text=True)
    assert "Asked ann about it." in page and "Report resolved" in page and "Event edited" in page
    assert f"/admin/reports/{report.id}" not in admin.get("/admin/reports").get_data(as_text=True)
    assert f"/admin/reports/{report.id}" in admin.get("/admin/reports?state=resolved").get_data(as_text=True)
    # The same state again changes nothing and logs nothing.
    submit(moderator, f"{path}/state", {"state": "resolved"}, page=path)
    with mail_app.app_context():
        assert ModerationLog.select().count() == 2


@pytest.mark.parametrize("path, data", [
    ("/admin/reports/{id}/notes", {"text": ""}),
    ("/admin/reports/{id}/notes", {"text": "x" * 5001}),
    ("/admin/reports/{id}/state", {"state": "deleted"}),
])
def test_bad_moderator_input_is_a_400_and_logs_nothing(mail_app, staffed, event, path, data):
    report = open_report(mail_app, staffed["user"], event)
    response = submit(staffed["moderator"], path.format(id=report.id), data, page=f"/admin/reports/{report.id}")
    assert response.status_code == 400
    with mail_app.app_context():
        assert ModerationLog.select().count() == 0 and ReportNote.select().count() == 0
    assert staffed["moderator"].get("/admin/reports?state=nonsense").status_code == 400
    assert staffed["moderator"].get("/admin/reports/999999").status_code == 404


def test_only_moderators_and_administrators_reach_the_queue(mail_app, staffed, event):
    report = open_report(mail_app, staffed["user"], event)
    pages = ["/admin/reports", f"/admin/reports/{report.id}"]
    posts_ = [f"/admin/reports/{report.id}/notes", f"/admin/reports/{report.id}/state"]
    for path in pages + posts_:
        visitor = staffed["visitor"]
        response = visitor.get(path) if path in pages else submit(visitor, path, {"state": "closed"}, page="/login")
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for path in pages:
        assert staffed["user"].get(path).status_code == 403, path
        assert staffed["moderator"].get(path).status_code == 200, path
        assert staffed["admin"].get(path).status_code == 200, path
    for path, data in zip(posts_, ({"text": "mine"}, {"state": "closed"}), strict=True):
        assert submit(staffed["user"], path, data, page="/").status_code == 403, path
    with mail_app.app_context():
        assert ModerationLog.select().count() == 0 and Report.get_by_id(report.id).state == "open"
    assert 'href="/admin/reports"' in staffed["moderator"].get("/admin/log").get_data(as_text=True)  # in the menu


def received_flag(app, body):
    """body as the handling job takes it from the inbox, sent by the remote instance actor."""
    with app.app_context():
        sender, _ = Actor.get_or_create(ap_id=f"{REMOTE}/actor", defaults={
            "preferred_username": "remote.example", "domain": "remote.example", "type": "Application"})
        item = InboxItem.create(activity_id=body["id"], actor=sender, type="Flag", body=body)
        return inbound.process(item), InboxItem.get_by_id(item.id).error


def test_a_flag_about_our_content_lands_in_the_queue_from_its_server(mail_app, staffed, event, smtp):
    with mail_app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
    body = {"id": f"{REMOTE}/flags/1", "type": "Flag", "actor": f"{REMOTE}/actor",
            "content": "Spam\u202e from your user " + "x" * 5000,
            "object": [ann.ap_id, event.ap_id, f"{REMOTE}/users/bob", f"{BASE_URL}/events/unknown"]}
    assert received_flag(mail_app, body) == ("done", "")
    [report] = reports_in(mail_app)
    with mail_app.app_context():
        items = [(item.kind, item.ap_id) for item in ReportItem.select().order_by(ReportItem.id)]
        assert report.reporter.domain == "remote.example" and report.email is None
    assert (report.state, report.remote_id, report.reported_id) == ("open", body["id"], ann.id)
    assert items == [("identity", ann.ap_id), ("event", event.ap_id)]  # what is not ours is left out
    assert report.comment.startswith("Spam from your user") and len(report.comment) == 2000
    assert len(smtp.wait_for(2)) == 2
    page = staffed["admin"].get(f"/admin/reports/{report.id}").get_data(as_text=True)
    assert "the server remote.example" in page

    # The same Flag again, one naming nothing of ours, one with nothing readable: no report.
    assert received_flag(mail_app, dict(body, id=f"{REMOTE}/flags/1b", object="nonsense"))[0] == "ignored"
    assert received_flag(mail_app, dict(body, id=f"{REMOTE}/flags/2", object=[f"{REMOTE}/users/bob"]))[0] == "ignored"
    assert received_flag(mail_app, dict(body, id=f"{REMOTE}/flags/3", object=[{"no": "id"}, 42]))[0] == "ignored"
    assert len(reports_in(mail_app)) == 1


def test_a_server_flooding_flags_is_not_heard_beyond_a_daily_bound(mail_app, staffed, event):
    for number in range(FLAGS_PER_DOMAIN_DAY + 3):
        received_flag(mail_app, {"id": f"{REMOTE}/flags/{number}", "type": "Flag", "actor": f"{REMOTE}/actor",
                                 "content": "", "object": [event.ap_id]})
    assert len(reports_in(mail_app)) == FLAGS_PER_DOMAIN_DAY


def test_an_identity_beyond_its_report_limit_gets_a_429_with_the_form(tmp_path, app_config):
    from mobilizon_lite import create_app

    app = create_app(dict(app_config, RATE_LIMIT_REPORTS="1 per hour"), instance_path=str(tmp_path / "limited"))
    clients = staff_clients(app)
    event = make_event(app)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
    first = submit(clients["user"], report_page(event.ap_id), {"identity": ann.id, "reason": "spam"})
    assert first.status_code == 200
    second = submit(clients["user"], report_page(event.ap_id),
                    {"identity": ann.id, "reason": "spam", "comment": "Again"})
    assert second.status_code == 429 and second.headers.get("Retry-After")
    assert "Again" in second.get_data(as_text=True) and len(reports_in(app)) == 1
