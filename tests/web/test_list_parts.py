"""Lists rendered once for everyone who may see them (the participants and members pages): each viewer
still gets their own CSRF token and the controls of their own role, and a change shows at once."""
import re

from mobilizon_lite.models import Actor, Event, Member, Participation
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import decisions, participation
from mobilizon_lite.services.groups import new_member_row

from ..helpers import log_in, make_account, make_event, make_group, submit

FORMACTION_RE = re.compile(r'formaction="([^"]+)"')
TOKEN_RE = re.compile(r'<form method="post" id="decisions">\s*<input type="hidden" name="csrf_token" value="([^"]+)"')


def client_of(app, name):
    client = app.test_client()
    log_in(client, f"{name}@example.org")
    return client


def listing(page):
    """The shared list of a participants or members page: its one form."""
    return page.split('<form method="post" id="decisions">', 1)[1].split("</form>", 1)[0]


def table(page):
    return page.split("<table", 1)[1].split("</table>", 1)[0]


def test_each_organiser_decides_with_their_own_token_on_the_one_list(app):
    for name in ("ann", "bea", "cid", "dan"):
        make_account(app, f"{name}@example.org", name)
    event = make_event(app, join_mode="restricted")
    with app.app_context():
        on = Event.get_by_id(event.id)
        for name in ("bea", "cid", "dan"):
            participation.join(on, Actor.get(Actor.preferred_username == name))
        ann = Actor.get(Actor.preferred_username == "ann")
        bea = Participation.get(Participation.actor == Actor.get(Actor.preferred_username == "bea"))
        decisions.approve(on, ann, bea.id)
        decisions.promote(on, ann, bea.id)
    path = f"/events/{event.uuid}/participants"
    ann_client, bea_client = client_of(app, "ann"), client_of(app, "bea")
    ann_page, bea_page = (client.get(path).get_data(as_text=True) for client in (ann_client, bea_client))
    # The same list and buttons for both organisers; a token of their own in it.
    assert table(ann_page) == table(bea_page)
    ann_token, bea_token = TOKEN_RE.search(ann_page).group(1), TOKEN_RE.search(bea_page).group(1)
    assert ann_token != bea_token
    approvals = [url for url in FORMACTION_RE.findall(bea_page) if url.endswith("/approve")]
    assert len(approvals) == 2  # cid and dan wait; bea, a co-organiser now, does not
    assert bea_client.post(approvals[0], data={"csrf_token": ann_token}).status_code == 400
    assert bea_client.post(approvals[0], data={"csrf_token": bea_token}).status_code == 302
    # The decision shows at once, for both: one request fewer to approve.
    for client in (ann_client, bea_client):
        page = client.get(path).get_data(as_text=True)
        assert [url for url in FORMACTION_RE.findall(page) if url.endswith("/approve")] == approvals[1:]


def test_the_members_list_gives_each_viewer_the_controls_of_their_role(app):
    for name in ("ann", "mia", "cat", "tim"):
        make_account(app, f"{name}@example.org", name)
    group = make_group(app)
    with app.app_context():
        uuids = {"ann": Member.get(Member.group == group.id).uuid}
        for name, role in (("mia", Role.MODERATOR), ("cat", Role.MEMBER), ("tim", Role.MEMBER)):
            uuids[name] = new_member_row(group, Actor.get(Actor.preferred_username == name), role).uuid
    clients = {name: client_of(app, name) for name in ("ann", "mia", "cat")}
    pages = {name: listing(client.get("/@club/members").get_data(as_text=True)) for name, client in clients.items()}
    # The administrator changes everyone's role but her own (the last administrator's) and removes
    # everyone but herself.
    others = ("mia", "cat", "tim")
    assert set(FORMACTION_RE.findall(pages["ann"])) == {
        f"/@club/members/{uuids[name]}/{action}" for name in others for action in ("role", "remove")}
    assert f'name="{uuids["tim"]}-role"' in pages["ann"]
    # The moderator removes members only; the member does nothing, each reads the roles.
    assert set(FORMACTION_RE.findall(pages["mia"])) == {f"/@club/members/{uuids[name]}/remove"
                                                        for name in ("cat", "tim")}
    assert FORMACTION_RE.findall(pages["cat"]) == [] and "<select" not in pages["cat"] + pages["mia"]
    assert pages["cat"].count(">member<") == 2 and ">moderator<" in pages["cat"] and ">administrator<" in pages["cat"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', pages["ann"]).group(1)
    assert clients["ann"].post(f"/@club/members/{uuids['tim']}/role",
                               data={"csrf_token": token, f"{uuids['tim']}-role": "moderator"}).status_code == 302
    page = listing(clients["cat"].get("/@club/members").get_data(as_text=True))
    assert page.count(">member<") == 1 and page.count(">moderator<") == 2


def test_a_pending_request_is_withdrawn_from_the_group_page(app):
    for name in ("ann", "bob"):
        make_account(app, f"{name}@example.org", name)
    make_group(app, openness="moderated")
    ann, bob = client_of(app, "ann"), client_of(app, "bob")
    with app.app_context():
        bob_id = Actor.get(Actor.preferred_username == "bob").id
    assert submit(bob, "/@club/join", {"identity": bob_id, "message": "hello"}).status_code == 302
    assert "hello" in ann.get("/@club/members").get_data(as_text=True)
    page = bob.get("/@club").get_data(as_text=True)
    assert 'action="/@club/withdraw"' in page and f'name="identity" value="{bob_id}"' in page
    response = submit(bob, "/@club/withdraw", {"identity": bob_id}, page="/@club")
    assert response.status_code == 302
    assert "Your request to join club is withdrawn." in bob.get("/@club").get_data(as_text=True)
    with app.app_context():
        assert not Member.select().where(Member.actor == bob_id).exists()
    members_page = ann.get("/@club/members").get_data(as_text=True)
    assert "hello" not in members_page and "Requests to join" not in members_page
    page = bob.get("/@club").get_data(as_text=True)
    assert "/@club/withdraw" not in page and "Ask to join" in page
    # Nothing left to withdraw; asking again is allowed.
    assert submit(bob, "/@club/withdraw", {"identity": bob_id}, page="/@club").status_code == 403
    assert submit(bob, "/@club/join", {"identity": bob_id}).status_code == 302


def test_no_one_withdraws_the_request_of_another_account(app):
    for name in ("ann", "bob", "eve"):
        make_account(app, f"{name}@example.org", name)
    make_group(app, openness="moderated")
    bob, eve = client_of(app, "bob"), client_of(app, "eve")
    with app.app_context():
        bob_id = Actor.get(Actor.preferred_username == "bob").id
    submit(bob, "/@club/join", {"identity": bob_id})
    assert submit(eve, "/@club/withdraw", {"identity": bob_id}, page="/@club").status_code == 400
    with app.app_context():
        assert Member.get(Member.actor == bob_id).role == Role.NOT_APPROVED
