"""The moderation log and who reaches the administration pages: moderators the moderation pages,
administrators everything."""
import pytest

from mobilizon_lite.models.accounts import Account
from mobilizon_lite.services import moderation_log

from ..helpers import staff_clients


@pytest.fixture
def staff(app):
    """Clients logged in as a user, a moderator and an administrator."""
    return staff_clients(app)


@pytest.mark.parametrize("path, user, moderator, admin", [
    ("/admin/log", 403, 200, 200),
    ("/admin/", 403, 403, 200),
    ("/admin/instances/", 403, 200, 200),
])
def test_who_reaches_which_admin_page(staff, path, user, moderator, admin):
    for name, expected in (("user", user), ("moderator", moderator), ("admin", admin)):
        assert staff[name].get(path).status_code == expected, (name, path)


def test_the_log_lists_lines_newest_first_and_pages_them(app, staff):
    with app.app_context():
        moderator = Account.get(Account.email == "mod@example.org")
        for number in range(moderation_log.PAGE_SIZE + 1):
            moderation_log.record(moderator, "delete", "comment", number, label=f"comment {number}",
                                  reason="spam")
        moderation_log.record(None, "suspend", "account", 7, label="eve@example.org", reason="abuse")
    page = staff["moderator"].get("/admin/log").get_data(as_text=True)
    assert page.index("eve@example.org") < page.index(f"comment {moderation_log.PAGE_SIZE}")
    assert "command line" in page and "mod@example.org" in page and "abuse" in page
    assert "comment 0<" not in page and "page=2" in page
    second = staff["moderator"].get("/admin/log?page=2").get_data(as_text=True)
    assert "comment 0<" in second and "eve@example.org" not in second


def test_a_page_number_beyond_any_is_an_empty_page(staff):
    for path in ("/admin/log?page=99999999999999999999", "/admin/users/?page=99999999999999999999",
                 "/admin/log?page=-3", "/admin/log?page=x"):
        assert staff["admin"].get(path).status_code == 200, path


def test_an_empty_log_says_so(staff):
    assert "No moderation action yet." in staff["admin"].get("/admin/log").get_data(as_text=True)
