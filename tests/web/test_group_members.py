"""Groups' members through the pages: joining in each openness, requests and invitations end to end
with their emails (English and French), the last administrator, the members page and collection, and
Member documents, none of them naming an account's other identities or reaching non-members."""
import threading

import pytest

from mobilizon_lite.activitypub.keys import new_key_pair
from mobilizon_lite.activitypub.signatures import sign_headers
from mobilizon_lite.models import Account, Actor, Member
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import accounts, identities, members
from mobilizon_lite.services.errors import PermissionDenied
from mobilizon_lite.services.groups import new_member_row

from ..helpers import BASE_URL, errors, log_in, make_account, make_group, submit

AP = {"Accept": "application/activity+json"}
LAST_ADMIN = "A group needs an administrator: make another member administrator first."


@pytest.fixture
def people(mail_app):
    """ann founds groups, mia will moderate, bob has a second, secret identity, cat is someone else."""
    clients = {}
    for name in ("ann", "mia", "bob", "cat"):
        account = make_account(mail_app, f"{name}@example.org", name)
        with mail_app.app_context():
            if name == "bob":
                identities.create_identity(Account.get_by_id(account.id), "bob_secret", name="Robert in disguise")
        clients[name] = mail_app.test_client()
        log_in(clients[name], f"{name}@example.org")
    return clients


def speaks_french(app, *names):
    with app.app_context():
        for name in names:
            accounts.set_locale(Account.get(Account.email == f"{name}@example.org"), "fr")


def actor(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username)


def add(app, group, username, role):
    with app.app_context():
        return new_member_row(group, actor(app, username), role)


def roles(app, group):
    with app.app_context():
        return {row.actor.preferred_username: row.role for row in Member.select().where(Member.group == group.id)}


def join(app, client, group, username, message=""):
    return submit(client, f"/@{group.preferred_username}/join",
                  {"identity": actor(app, username).id, "message": message})


def decide(client, group, member, action, data=None):
    return submit(client, f"/@{group.preferred_username}/members/{member.uuid}/{action}", data or {},
                  page=f"/@{group.preferred_username}/members")


def text(response):
    return response.get_data(as_text=True)


def test_an_open_group_takes_members_at_once(mail_app, people, smtp):
    group = make_group(mail_app, openness="open")
    response = join(mail_app, people["bob"], group, "bob", "ignored")
    assert response.status_code == 302
    assert roles(mail_app, group)["bob"] == Role.MEMBER
    # Joining twice, or as a pending or invited identity, says why not.
    response = join(mail_app, people["bob"], group, "bob")
    assert response.status_code == 400 and "@bob is already a member of this group." in errors(response)
    assert smtp.messages == []


def test_an_invite_only_group_refuses_requests(mail_app, people):
    group = make_group(mail_app, openness="invite_only")
    page = people["bob"].get("/@club/join")
    assert "This group admits only the people its moderators invite." in text(page)
    response = join(mail_app, people["bob"], group, "bob")
    assert response.status_code == 403
    assert "This group admits only the people its moderators invite." in text(response)
    assert "bob" not in roles(mail_app, group)


def test_a_request_reaches_the_moderators_in_their_languages_and_its_answer_the_person(mail_app, people, smtp):
    group = make_group(mail_app, name="Vélo club", openness="moderated")
    speaks_french(mail_app, "mia", "bob")
    add(mail_app, group, "mia", Role.MODERATOR)
    add(mail_app, group, "cat", Role.MEMBER)
    response = join(mail_app, people["bob"], group, "bob", "I ride every Sunday")
    assert response.status_code == 302
    assert roles(mail_app, group)["bob"] == Role.NOT_APPROVED
    sent = {message["To"]: message for message in smtp.wait_for(2)}
    # The moderators and administrators only, each in their account's language.
    assert set(sent) == {"ann@example.org", "mia@example.org"}
    english, french = sent["ann@example.org"], sent["mia@example.org"]
    assert english["Subject"] == "New request to join Vélo club"
    assert french["Subject"] == "Nouvelle demande pour rejoindre Vélo club"
    for message in (english, french):
        body = message.get_content()
        assert "@bob" in body and "I ride every Sunday" in body and f"{BASE_URL}/@club/members" in body
        assert "bob_secret" not in body and "disguise" not in body
    assert french.get_content().startswith("Bonjour,")

    response = join(mail_app, people["bob"], group, "bob")
    # bob's pages speak French too.
    assert "La demande de @bob attend la réponse des modérateurs." in errors(response)
    page = text(people["mia"].get("/@club/members"))
    assert "I ride every Sunday" in page and "Requests to join" not in text(people["cat"].get("/@club/members"))

    with mail_app.app_context():
        member = Member.get(Member.actor == actor(mail_app, "bob"))
    assert decide(people["mia"], group, member, "approve").status_code == 302
    assert roles(mail_app, group)["bob"] == Role.MEMBER
    approved = smtp.wait_for(3)[2]
    assert approved["To"] == "bob@example.org" and approved["Subject"] == "Vous êtes membre de Vélo club"
    assert "@bob" in approved.get_content() and "bob_secret" not in approved.get_content()


def test_a_rejected_person_is_emailed_and_cannot_ask_again_until_invited(mail_app, people, smtp):
    group = make_group(mail_app)
    join(mail_app, people["cat"], group, "cat", "please")
    smtp.wait_for(1)
    with mail_app.app_context():
        member = Member.get(Member.actor == actor(mail_app, "cat"))
    assert decide(people["ann"], group, member, "reject").status_code == 302
    rejected = smtp.wait_for(2)[1]
    assert rejected["To"] == "cat@example.org" and rejected["Subject"] == "Your request to join club"
    response = join(mail_app, people["cat"], group, "cat")
    assert response.status_code == 403 and "only their invitation can let it in now" in text(response)
    # A decided request cannot be decided again.
    assert decide(people["ann"], group, member, "approve").status_code == 404
    response = submit(people["ann"], "/@club/members/invite", {"username": "@cat"}, page="/@club/members")
    assert response.status_code == 302 and roles(mail_app, group)["cat"] == Role.INVITED


def test_an_invitation_end_to_end_names_only_the_invited_identity(mail_app, people, smtp):
    group = make_group(mail_app, name="Chorale", openness="invite_only")
    speaks_french(mail_app, "bob")
    response = submit(people["ann"], "/@club/members/invite", {"username": "bob_secret"}, page="/@club/members")
    assert response.status_code == 302
    [invitation] = smtp.wait_for(1)
    assert invitation["To"] == "bob@example.org"
    assert invitation["Subject"] == "Vous êtes invité·e à rejoindre Chorale"
    body = invitation.get_content()
    assert "@bob_secret" in body and "@ann" in body and f"{BASE_URL}/invitations" in body
    assert "@bob " not in body and "@bob." not in body

    response = join(mail_app, people["bob"], group, "bob_secret")
    assert response.status_code == 400
    assert "@bob_secret est déjà invité·e : acceptez l’invitation sur la page des invitations." in errors(response)
    page = text(people["bob"].get("/invitations"))
    assert "@bob_secret" in page and "Chorale" in page and "@bob " not in page
    assert "No invitation is waiting for you." in text(people["cat"].get("/invitations"))
    with mail_app.app_context():
        member = Member.get(Member.role == Role.INVITED)
    # Nobody answers for another account.
    assert submit(people["cat"], f"/invitations/{member.uuid}/accept", {}, page="/invitations").status_code == 404
    response = submit(people["bob"], f"/invitations/{member.uuid}/accept", {}, page="/invitations")
    assert response.status_code == 302 and response.headers["Location"].endswith("/@club/members")
    assert roles(mail_app, group)["bob_secret"] == Role.MEMBER
    page = text(people["bob"].get("/@club/members"))
    assert "Vous êtes dans ce groupe en tant que @bob_secret" in page and "Robert in disguise" in page
    assert "@bob<" not in page and "@bob " not in page


def test_a_declined_invitation_is_gone(mail_app, people, smtp):
    group = make_group(mail_app)
    submit(people["ann"], "/@club/members/invite", {"username": "cat"}, page="/@club/members")
    assert smtp.wait_for(1)[0]["Subject"] == "You are invited to join club"
    with mail_app.app_context():
        member = Member.get(Member.role == Role.INVITED)
    assert submit(people["cat"], f"/invitations/{member.uuid}/decline", {}, page="/invitations").status_code == 302
    assert "cat" not in roles(mail_app, group)
    # Declined, one may still ask.
    assert join(mail_app, people["cat"], group, "cat").status_code == 302


@pytest.mark.parametrize("username, message", [
    ("bob@elsewhere.example", "Nobody could be found at bob@elsewhere.example."),
    ("nobody", "There is no one called @nobody here."),
    ("ann", "@ann is already a member of this group."),
    ("", "Enter the @username of the person to invite."),
])
def test_invitations_that_cannot_be(mail_app, people, username, message):
    make_group(mail_app)
    response = submit(people["ann"], "/@club/members/invite", {"username": username}, page="/@club/members")
    assert response.status_code == 400 and message in errors(response)


def test_the_last_administrator_can_neither_leave_nor_be_demoted_nor_removed(mail_app, people):
    group = make_group(mail_app)
    with mail_app.app_context():
        ann = Member.get(Member.actor == actor(mail_app, "ann"))
    response = submit(people["ann"], "/@club/leave", {"identity": actor(mail_app, "ann").id}, page="/@club/members")
    assert response.status_code == 403 and LAST_ADMIN in text(response)
    response = decide(people["ann"], group, ann, "role", {f"{ann.uuid}-role": "member"})
    assert response.status_code == 403 and LAST_ADMIN in text(response)
    response = decide(people["ann"], group, ann, "remove")
    assert response.status_code == 400 and "To leave the group, use its Leave button." in text(response)
    assert roles(mail_app, group)["ann"] == Role.ADMINISTRATOR
    # Anyone else removing her would be an administrator too: she would not be the last one.
    add(mail_app, group, "mia", Role.ADMINISTRATOR)
    # With a second administrator, ann may step down.
    assert decide(people["ann"], group, ann, "role", {f"{ann.uuid}-role": "member"}).status_code == 302
    assert roles(mail_app, group)["ann"] == Role.MEMBER
    response = decide(people["mia"], group, ann, "role", {f"{ann.uuid}-role": "owner"})
    assert response.status_code == 400 and roles(mail_app, group)["ann"] == Role.MEMBER


def test_two_administrators_leaving_at_once_leave_one_behind(mail_app, people):
    group = make_group(mail_app)
    add(mail_app, group, "mia", Role.ADMINISTRATOR)
    barrier, outcomes = threading.Barrier(2), []

    def leave(username):
        with mail_app.app_context():
            identity = actor(mail_app, username)
            barrier.wait()
            try:
                members.leave_group(group, identity)
                outcomes.append("left")
            except PermissionDenied:
                outcomes.append("refused")

    threads = [threading.Thread(target=leave, args=(name,)) for name in ("ann", "mia")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["left", "refused"]
    assert list(roles(mail_app, group).values()) == [Role.ADMINISTRATOR]


def test_removal_rejects_and_emails_the_person(mail_app, people, smtp):
    group = make_group(mail_app)
    cat = add(mail_app, group, "cat", Role.MEMBER)
    assert decide(people["ann"], group, cat, "remove").status_code == 302
    assert roles(mail_app, group)["cat"] == Role.REJECTED
    assert smtp.wait_for(1)[0]["Subject"] == "You are no longer a member of club"
    assert people["cat"].get("/@club/members").status_code == 404


@pytest.fixture
def remote(mail_app):
    """rita of another server, whose key is known here, and her private key."""
    with mail_app.app_context():
        private_pem, public_pem = new_key_pair()
        rita = Actor.create(preferred_username="rita", domain="remote.example",
                            ap_id="https://remote.example/users/rita", inbox="https://remote.example/inbox",
                            public_key_pem=public_pem)
    return rita, private_pem


def signed(path, rita_key):
    return {**AP, **sign_headers("GET", f"{BASE_URL}{path}", "https://remote.example/users/rita#main-key",
                                 rita_key)}


def test_the_members_page_lists_members_by_role_for_members_only(mail_app, people, remote):
    group = make_group(mail_app)
    add(mail_app, group, "mia", Role.MODERATOR)
    add(mail_app, group, "bob", Role.NOT_APPROVED)
    with mail_app.app_context():
        new_member_row(group, remote[0], Role.MEMBER)
    page = text(people["mia"].get("/@club/members"))
    page = page[page.rindex("<table"):]
    assert "@ann" in page and "@mia" in page and "@rita@remote.example" in page
    assert page.index("@ann") < page.index("@mia") < page.index("@rita@remote.example")
    # bob waits: to him, to cat and to visitors, the members list is no page at all.
    for client in (people["bob"], people["cat"], mail_app.test_client()):
        assert client.get("/@club/members").status_code == 404
    assert mail_app.test_client().get("/@nogroup/members").status_code == 404


def test_the_members_collection_goes_to_members_only(mail_app, people, remote):
    rita, rita_key = remote
    group = make_group(mail_app)
    path = "/@club/members?page=1"
    visitor = mail_app.test_client().get(path, headers=AP)
    assert visitor.status_code == 200 and visitor.json["totalItems"] == 0 and visitor.json["orderedItems"] == []
    assert mail_app.test_client().get(path, headers=signed(path, rita_key)).json["orderedItems"] == []
    assert people["cat"].get(path, headers=AP).json["totalItems"] == 0

    with mail_app.app_context():
        member = new_member_row(group, rita, Role.MEMBER)
    response = mail_app.test_client().get(path, headers=signed(path, rita_key))
    assert response.headers["Cache-Control"] == "no-store"
    items = response.json["orderedItems"]
    assert response.json["totalItems"] == 2
    assert items[0] == {"type": "Member", "id": items[0]["id"], "actor": f"{BASE_URL}/@ann",
                        "object": f"{BASE_URL}/@club", "role": "administrator"}
    assert items[1]["actor"] == rita.ap_id and items[1]["id"] == member.ap_id
    assert len(people["ann"].get(path, headers=AP).json["orderedItems"]) == 2
    assert mail_app.test_client().get("/@club/members", headers=AP).json["first"].endswith("?page=1")
    assert mail_app.test_client().get("/@club/members?page=x", headers=AP).status_code == 400


def test_a_member_document_goes_to_the_member_and_to_other_members_only(mail_app, people, remote):
    rita, rita_key = remote
    group = make_group(mail_app)
    with mail_app.app_context():
        ann = Member.get(Member.actor == actor(mail_app, "ann"))
        invited = new_member_row(group, rita, Role.INVITED)
    for uuid in (ann.uuid, invited.uuid):
        assert mail_app.test_client().get(f"/member/{uuid}", headers=AP).status_code == 404
    # rita's own (invited) membership is hers to fetch; ann's is not, until rita is a member.
    path = f"/member/{invited.uuid}"
    document = mail_app.test_client().get(path, headers=signed(path, rita_key)).json
    assert document["type"] == "Member" and document["role"] == "invited" and document["actor"] == rita.ap_id
    path = f"/member/{ann.uuid}"
    assert mail_app.test_client().get(path, headers=signed(path, rita_key)).status_code == 404
    with mail_app.app_context():
        Member.update(role=Role.MEMBER).where(Member.id == invited.id).execute()
    response = mail_app.test_client().get(path, headers=signed(path, rita_key))
    assert response.status_code == 200 and response.json["role"] == "administrator"
    assert response.json["object"] == f"{BASE_URL}/@club" and "@context" in response.json
