"""Every kind of page, filled with long unbroken words and addresses, in light and in dark: each passes
axe-core's WCAG 2.1 A and AA rules and fits a 360 px phone (checks.py). The content is made through the
services (seed.py) rather than the forms, which the journeys already go through."""
import pytest

from ..harness import PASSWORD
from .checks import accessibility_violations, phone_layout_problems, screenshot
from .seed import WORD, seed

pytestmark = pytest.mark.browser

# (scheme, locale, width): both schemes, both languages, a desktop and a phone, in two runs.
RUNS = [("light", "en-GB", 1280), ("dark", "fr-FR", 390)]
PERSON_PAGES = ["/", "/my-events", "/my-events?when=past", "identity", "group", "{group}/events", "{group}/posts",
                "post", "{group}/discussions", "discussion", "{group}/resources", "folder", "{group}/todos",
                "todos", "{group}/members", "event", "{event}/participants", f"/search?q={WORD}", "/settings/",
                "/settings/notifications", "/settings/password", "/settings/email", "/settings/feeds",
                "/settings/export", "/settings/delete", "/identities/", "/identities/new", "/import",
                "/subscriptions", "/groups", "/groups/mine", "/tags", "/calendar", "/invitations",
                "/events/00000000-0000-0000-0000-000000000000", "/@nobody_here", "/past", "/categories",
                "/about", "/groups/new", "{identity_edit}", "{group}/settings", "{group}/posts/new", "{post}/edit",
                "{group}/discussions/new", "{group}/resources/new", "{event}/messages/new", "{event}/delete",
                "{group}/delete"]
ADMIN_PAGES = ["/admin/", "/admin/users/", "user", "/admin/reports", "report", "/admin/log", "/admin/mail/",
               "/admin/instances/", "/admin/relays/", "/admin/deliveries"]
SHOWN = {"/my-events", "group", "event", "/settings/feeds", "report"}


@pytest.fixture(scope="module")
def seeded(server, test_settings):
    return seed(server.path, test_settings)


def address(name, seeded):
    """The path of a page named in the lists above: a seeded page's name, or a path using them."""
    return seeded[name] if name in seeded else name.format(**seeded)


def tour(browser, run, server, seeded, email, names):
    """Log in as email in a browser of run's scheme, language and width, visit the pages named, and
    return what each fails of the checks."""
    scheme, locale, width = run
    context = browser.new_context(viewport={"width": width, "height": 800}, locale=locale, color_scheme=scheme,
                                  bypass_csp=True)
    page = context.new_page()
    page.goto(server.base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    problems = []
    for name in names:
        url = server.base + address(name, seeded)
        response = page.goto(url)
        assert response.status < 500, f"{url}: {response.status}"
        found = accessibility_violations(page) + phone_layout_problems(page)
        problems += [f"{url}: {line}" for line in found]
        if name in SHOWN:
            screenshot(page, f"{name.strip('/').replace('/', '-')}-{scheme}")
    context.close()
    return problems


@pytest.mark.parametrize("run", RUNS, ids=["-".join(map(str, run)) for run in RUNS])
def test_every_page_fits_a_phone_and_reads_well(browser, server, seeded, run):
    problems = tour(browser, run, server, seeded, "ann@example.org", PERSON_PAGES)
    problems += tour(browser, run, server, seeded, "boss@example.org", ADMIN_PAGES)
    assert not problems, "\n".join(problems)
