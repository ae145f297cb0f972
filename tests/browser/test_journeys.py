"""What people do on the site, in a real browser, on a phone and on a desktop, in English and in French.
Every page visited passes axe-core's WCAG 2.1 A and AA rules and fits a 360 px phone (checks.py)."""
import re

import icalendar
import pytest

from ..harness import PASSWORD, wait_until
from ..helpers import EVENT_DAY, phone_photo
from .checks import check_page, screenshot, tab_to
from .seed import reported_event

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 390, "desktop": 1280}
HEIGHTS = {"phone": 844, "desktop": 800}
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# The new event form's length on a 390 px phone, its rarely used options folded (px): under half the
# 4,400 px page its fields made unfolded (2,026 px in English).
FOLDED_FORM_HEIGHT = 2150


@pytest.fixture(params=list(WIDTHS))
def device(request):
    return request.param


@pytest.fixture(params=list(LOCALES))
def locale(request):
    return request.param


@pytest.fixture
def new_context(browser, device, locale):
    """Opens browser contexts of the test's device and language (as Accept-Language), closed after it.
    Each context is a person: its own cookies."""
    contexts = []

    def open_context():
        # axe is injected as an inline script, which the pages' Content-Security-Policy forbids.
        context = browser.new_context(viewport={"width": WIDTHS[device], "height": HEIGHTS[device]},
                                      locale=LOCALES[locale], bypass_csp=True)
        contexts.append(context)
        return context.new_page()

    yield open_context
    for context in contexts:
        context.close()


def visit(page, url):
    """Go to url, and check the page."""
    response = page.goto(url)
    assert response.ok, f"{url}: {response.status}"
    check_page(page)


def submit(page, form="main form", button=None):
    """Press the submit button of form (a selector; button: a selector inside it), then check the page
    it leads to."""
    with page.expect_navigation():
        page.locator(form).locator(button or "button[type=submit]:not(.visually-hidden)").last.click()
    check_page(page)


def link_in(mail, address, path):
    """The link to path (a regular expression of its start) in the latest email to address."""
    pattern = re.compile(r"https?://\S+" + path + r"\S*")

    def found():
        for message in reversed(mail.messages):
            if address in message["To"]:
                match = pattern.search(message.get_body(("plain",)).get_content())
                if match:
                    return match.group(0)
        return None

    return wait_until(found, timeout=20)


def subjects_to(mail, address):
    """The subjects of the emails sent to address so far."""
    return [message["Subject"] for message in mail.messages if address in message["To"]]


def fill_event(page, title, starts, ends, approval=False):
    """Fill the event form (on page) with title, on EVENT_DAY from starts to ends, in Lyon; approval:
    the organisers approve each participant, and people without an account may ask by email."""
    page.fill("#title", title)
    page.fill("#start_date", EVENT_DAY.isoformat())
    page.fill("#start_time", starts)
    page.fill("#end_time", ends)
    page.fill("#locality", "Lyon")
    if approval:
        page.select_option("#join_mode", "restricted")
        page.check("#anonymous_participation")


def press_enter(page):
    """Press Enter on the focused control, then check the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)


def sign_up(page, mail, server, email, username):
    """Sign up through the form, confirm the address from its email, log in: on the home page."""
    visit(page, server.base + "/signup")
    assert page.locator("html").get_attribute("lang") in LOCALES
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.fill("#username", username)
    page.fill("#name", username.title())
    page.check("#accept")
    submit(page)
    visit(page, link_in(mail, email, "/signup/confirm/"))
    submit(page)
    assert "/login" in page.url
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    submit(page)


def log_in(page, server, email):
    """Log in as email through the form: on the home page."""
    visit(page, server.base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    submit(page)


def test_organise_an_event_a_visitor_joins_by_email(new_context, server, mail, device, locale):
    """Sign up, confirm, make an identity and a group, publish an event with a banner; a visitor joins it
    by email without an account, the organiser approves, the visitor's calendar shows it, then its
    cancellation."""
    name = f"{device}-{locale}"
    organiser = new_context()
    email = f"organiser-{name}@example.org"
    sign_up(organiser, mail, server, email, f"org_{device}_{locale}")
    assert organiser.locator("html").get_attribute("lang") == locale
    screenshot(organiser, f"home-{locale}")

    visit(organiser, server.base + "/identities/new")
    organiser.fill("#username", f"choir_{device}_{locale}")
    organiser.fill("#name", "Choir of the river")
    submit(organiser)

    visit(organiser, server.base + "/groups/new")
    organiser.fill("#username", f"river_{device}_{locale}")
    organiser.fill("#name", "Friends of the river")
    organiser.fill("#summary", "We clean the banks of the river every month: https://example.org/"
                   "a-very-long-address-without-any-place-to-break-it-on-a-phone")
    submit(organiser)
    screenshot(organiser, f"group-{locale}")

    visit(organiser, server.base + "/events/new")
    screenshot(organiser, f"event-form-{locale}")
    if device == "phone":
        # Folded, the form is well under half the 4,400 px the page of its unfolded fields took on a phone.
        height = organiser.locator("main form").bounding_box()["height"]
        print(f"event form at {WIDTHS[device]} px ({locale}): {height} px")
        assert height < FOLDED_FORM_HEIGHT, height
    title = f"Cleaning the river banks ({name})"
    fill_event(organiser, title, "14:00", "17:00", approval=True)
    organiser.fill("#description", "Bring gloves and boots. Details: https://example.org/"
                   "a-very-long-address-without-any-place-to-break-it-on-a-phone-screen")
    organiser.locator("details.organiser summary").click()
    organiser.select_option("#group", index=1)
    # A photo as phones take it: 12 MB, held sideways with its EXIF orientation.
    organiser.set_input_files("#picture", files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg",
                                                  "buffer": phone_photo(orientation=6)}])
    submit(organiser)
    event_url = organiser.url.split("?")[0]
    assert re.search(r"/events/[^/]+$", event_url), event_url
    assert organiser.locator("img.banner").count() == 1
    # Turned upright and scaled down on arrival.
    assert organiser.locator("img.banner").evaluate("i => [i.naturalWidth, i.naturalHeight]") == [1920, 2560]
    screenshot(organiser, f"event-{locale}")

    visitor = new_context()
    visitor_email = f"visitor-{name}@example.org"
    visit(visitor, event_url)
    visitor.locator("details.anonymous summary").click()
    visitor.fill("details.anonymous [name=email]", visitor_email)
    visitor.fill("details.anonymous [name=name]", "Robin")
    submit(visitor, "details.anonymous form")
    visit(visitor, link_in(mail, visitor_email, "/participation/confirm/"))
    submit(visitor)
    assert visitor.url.startswith(event_url)

    visit(organiser, event_url + "/participants")
    submit(organiser, "#decisions", "button[formaction$='/approve']")
    screenshot(organiser, f"participants-{locale}")
    wait_until(lambda: len(subjects_to(mail, visitor_email)) >= 2, timeout=20)

    visit(visitor, event_url)
    calendar_link = visitor.locator("a[href$='/export/ics']").first.get_attribute("href")
    calendar = fetch_calendar(visitor, calendar_link)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [title]
    assert calendar.walk("VEVENT")[0].decoded("DTSTART").date() == EVENT_DAY

    # One button, then its confirmation page.
    visit(organiser, event_url)
    with organiser.expect_navigation():
        organiser.locator(f"a[href$='{event_url.split('/events/')[1]}/cancel']").click()
    check_page(organiser)
    submit(organiser)
    assert organiser.locator("article.event.cancelled").count() == 1
    assert str(fetch_calendar(visitor, calendar_link).walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    wait_until(lambda: len(subjects_to(mail, visitor_email)) >= 3, timeout=20)


def test_a_weekly_event_in_search_and_the_month_calendar(new_context, server, device, locale):
    """A weekly event made with the form's "Repeats" part is found by a search with filters (and not by
    one of another category), and shows on each of its dates in the month calendar."""
    word = f"rehearsal{device}{locale}"
    email = f"singer-{device}-{locale}@example.org"
    server.create_user(f"singer_{device}_{locale}", email)
    page = new_context()
    log_in(page, server, email)

    visit(page, server.base + "/events/new")
    title = f"Choir {word}"
    fill_event(page, title, "19:00", "21:00")
    page.locator("details.more summary").click()
    page.select_option("#category", "MUSIC")
    page.locator("details.repeats summary").click()
    page.check("input[name=repeat][value=WEEKLY]")
    page.check(f"input[name=repeat_weekdays][value={WEEKDAYS[EVENT_DAY.weekday()]}]")
    page.check("input[name=repeat_ends][value=count]")
    page.fill("#repeat_count", "4")
    # The whole address typed as the town; people registering elsewhere, without saying where.
    page.fill("#locality", "12 rue de la République, 69001 Lyon")
    page.select_option("#join_mode", "external")
    submit(page)
    # The fold holding the field in error is open, the other folded options are not.
    assert page.locator("details.joining[open] #external_participation_url[aria-invalid=true]").count() == 1
    assert page.locator("details.address[open], details.organiser[open]").count() == 0
    page.select_option("#join_mode", "free")
    submit(page)
    assert page.locator("h1").first.inner_text() == title
    assert "12 rue de la République" in page.locator("main").inner_text()

    visit(page, server.base + "/search")
    page.fill("#search-page-q", word)
    page.select_option("#search-category", "MUSIC")
    page.select_option("#search-mode", "in_person")
    page.fill("#search-near", "Lyon")
    submit(page, "form.search-form")
    assert page.locator(".event-card").filter(has_text=title).count() == 1
    screenshot(page, f"search-{locale}")
    page.select_option("#search-category", "ARTS")
    submit(page, "form.search-form")
    assert page.locator(".event-card").count() == 0

    visit(page, f"{server.base}/calendar/{EVENT_DAY.year}/{EVENT_DAY.month:02d}?q={word}")
    # A table on a desktop, the agenda of the days with events on a phone: each shows the four dates.
    shown = page.locator("main a").filter(has_text=title).filter(visible=True)
    assert shown.count() == 4
    screenshot(page, f"calendar-{locale}")


def test_by_keyboard_alone(new_context, server, mail, device, locale):
    """Log in, join an event without an account, confirm and approve with the keyboard alone: Tab
    reaches every control on the way, and each shows that it has the focus."""
    name = f"{device}-{locale}"
    email = f"keys-{name}@example.org"
    server.create_user(f"keys_{device}_{locale}", email)
    organiser = new_context()
    visit(organiser, server.base + "/login")
    tab_to(organiser, "#email")
    organiser.keyboard.type(email)
    tab_to(organiser, "#password")
    organiser.keyboard.type(PASSWORD)
    press_enter(organiser)
    # The event is made as the first journey makes one: a keyboard types dates in each locale's order.
    visit(organiser, server.base + "/events/new")
    fill_event(organiser, f"Picnic by keyboard ({name})", "12:00", "14:00", approval=True)
    submit(organiser)
    event_url = organiser.url.split("?")[0]

    visitor = new_context()
    visitor_email = f"keyboard-visitor-{name}@example.org"
    visit(visitor, event_url)
    tab_to(visitor, "details.anonymous summary")
    visitor.keyboard.press("Enter")
    tab_to(visitor, "details.anonymous [name=email]")
    visitor.keyboard.type(visitor_email)
    tab_to(visitor, "details.anonymous button[type=submit]")
    press_enter(visitor)
    visit(visitor, link_in(mail, visitor_email, "/participation/confirm/"))
    tab_to(visitor, "main button[type=submit]")
    press_enter(visitor)

    visit(organiser, event_url + "/participants")
    tab_to(organiser, "button[formaction$='/approve']")
    press_enter(organiser)
    wait_until(lambda: len(subjects_to(mail, visitor_email)) >= 2, timeout=20)


def test_a_report_reaches_the_moderators_who_remove_the_event(new_context, server, test_settings, device, locale):
    """Someone reports an event with its Report link; an administrator finds it named in the reports, removes
    the event with a reason and resolves the report; the event is gone for everyone."""
    name = f"{device}_{locale}"
    event_path, title = reported_event(server.path, test_settings, name)
    reporter = new_context()
    log_in(reporter, server, f"reporter_{name}@example.org")
    visit(reporter, server.base + event_path)
    with reporter.expect_navigation():
        reporter.locator("main a.report-link").first.click()
    check_page(reporter)
    reporter.check("input[name=reason][value=spam]")
    reporter.fill("#comment", "Advertising for watches, nothing to take part in.")
    submit(reporter)

    moderator = new_context()
    log_in(moderator, server, f"moderator_{name}@example.org")
    visit(moderator, server.base + "/admin/reports")
    with moderator.expect_navigation():
        moderator.locator("main table a").filter(has_text=title).click()
    check_page(moderator)
    assert "Advertising for watches" in moderator.locator("main").inner_text()
    moderator.locator("form[action*='/remove'] textarea").fill("Advertising")
    submit(moderator, "form[action*='/remove']")
    moderator.select_option("#state", "resolved")
    submit(moderator, "form[action$='/state']")
    assert moderator.locator("main form[action*='/remove']").count() == 0
    screenshot(moderator, f"report-{locale}")
    assert reporter.goto(server.base + event_path).status in (404, 410)
    check_page(reporter)


def fetch_calendar(page, link):
    """The calendar at link (relative to the page), fetched as the page's browser would, parsed by icalendar."""
    response = page.context.request.get(page.url.split("/events/")[0] + link if link.startswith("/") else link)
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.body())


def test_a_double_click_publishes_one_event(new_context, server, device, locale):
    """The event form sent without a title keeps its picture; then its button pressed twice in a row: the
    browser sends the form twice and shows the event the first POST made; My events lists it once."""
    email = f"hasty-{device}-{locale}@example.org"
    server.create_user(f"hasty_{device}_{locale}", email)
    page = new_context()
    log_in(page, server, email)
    visit(page, server.base + "/events/new")
    title = f"Picnic by the lake ({device}-{locale})"
    fill_event(page, "", "12:00", "15:00")
    page.set_input_files("#picture", files=[{"name": "lake.jpg", "mimeType": "image/jpeg",
                                             "buffer": phone_photo()}])
    # Sent without a title: the form comes back with the picture kept, not to be chosen again.
    submit(page)
    assert page.locator("#picture + input[type=hidden] + .help").filter(has_text="lake.jpg").count() == 1
    page.fill("#title", title)
    button = page.locator("main form button[type=submit]:not(.visually-hidden)").last
    # Two clicks 50 ms apart, as a hasty double click sends them: two POSTs, the first one's page
    # abandoned for the second's.
    button.evaluate("button => { button.click(); setTimeout(() => button.click(), 50); }")
    page.locator("article.event").wait_for()
    assert re.search(r"/events/[0-9a-f-]+$", page.url), page.url
    check_page(page)
    assert page.locator("h1").first.inner_text() == title
    assert page.locator("img.banner").count() == 1
    visit(page, server.base + "/my-events")
    assert page.locator("main a").filter(has_text=title).count() == 1
