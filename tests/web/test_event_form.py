"""The event form: its time zone proposed (the organiser's last event's, else the instance's) among the
common zones listed first; its sections, the rarely used ones folded unless a field there has an error."""
import re

from mobilizon_lite.services import instance, time_zones

from ..helpers import event_fields, make_event, submit

OPTION_RE = re.compile(r'<option (selected )?value="([^"]+)">')
GROUP_RE = re.compile(r'<optgroup label="([^"]+)">(.*?)</optgroup>', re.S)


def zone_groups(page):
    """{group label: [zone, …]} of the form's time zone select, and the zones selected."""
    select = page[page.index('name="timezone"'):]
    select = select[:select.index("</select>")]
    groups = {label: [zone for _s, zone in OPTION_RE.findall(body)] for label, body in GROUP_RE.findall(select)}
    return groups, [zone for selected, zone in OPTION_RE.findall(select) if selected]


def test_a_new_event_is_proposed_the_instance_zone_first_then_all(app, ann):
    groups, selected = zone_groups(ann.get("/events/new").get_data(as_text=True))
    common, every = groups["Common time zones"], groups["All time zones"]
    # The instance's zone (UTC in tests), then the European zones of its language (English).
    assert common == ["UTC", "Europe/London", "Europe/Dublin", "Europe/Malta", "Europe/Jersey",
                      "Europe/Isle_of_Man", "Europe/Guernsey"]
    assert len(every) > 400 and "Europe/Paris" in every
    # Selected once, in the short list a phone opens at.
    assert selected == ["UTC"]


def test_the_organisers_last_event_gives_the_zone_and_recent_zones_come_first(app, ann):
    make_event(app, timezone="America/Montreal")
    make_event(app, timezone="Asia/Tokyo")
    page = ann.get("/events/new").get_data(as_text=True)
    groups, selected = zone_groups(page)
    assert selected == ["Asia/Tokyo"]
    assert groups["Common time zones"][:3] == ["UTC", "America/Montreal", "Asia/Tokyo"]


def test_the_instance_language_and_zone_order_the_short_list(app, ann):
    with app.app_context():
        instance.set_setting("default_language", "fr")
        instance.set_setting("default_timezone", "Europe/Brussels")
        assert time_zones.common_zones() == ["Europe/Brussels", "Europe/Paris", "Europe/Zurich",
                                             "Europe/Luxembourg", "Europe/Monaco"]
    groups, selected = zone_groups(ann.get("/events/new").get_data(as_text=True))
    assert selected == ["Europe/Brussels"]


def test_a_zone_from_either_list_is_saved_and_an_unknown_one_refused(app, ann):
    assert submit(ann, "/events/new", event_fields(timezone="Pacific/Auckland")).status_code == 302
    refused = submit(ann, "/events/new", event_fields(timezone="Mars/Olympus_Mons"))
    assert refused.status_code == 400


DETAILS_RE = re.compile(r'<details class="(\w+)"( open)?>')


def folds(page):
    """{fold's class: whether it is open} of the event form."""
    return {name: bool(opened) for name, opened in DETAILS_RE.findall(page)}


def test_the_rarely_used_options_are_folded(ann):
    page = ann.get("/events/new").get_data(as_text=True)
    assert folds(page) == {"organiser": False, "repeats": False, "address": False, "joining": False,
                           "more": False}
    for legend in ("What", "When", "Where", "Who can join"):
        assert f"<legend>{legend}</legend>" in page


def test_a_fold_holding_a_field_with_an_error_is_open(app, ann):
    response = submit(ann, "/events/new", event_fields(join_mode="external", external_participation_url="no"))
    assert response.status_code == 400
    assert folds(response.get_data(as_text=True)) == {
        "organiser": False, "repeats": False, "address": False, "joining": True, "more": False}
    response = submit(ann, "/events/new", event_fields(category="NOT_ONE"))
    assert response.status_code == 400
    assert folds(response.get_data(as_text=True)) == {
        "organiser": False, "repeats": False, "address": False, "joining": False, "more": True}
    response = submit(ann, "/events/new", event_fields(repeat="WEEKLY", repeat_interval="0"))
    assert folds(response.get_data(as_text=True))["repeats"] is True


def test_an_edited_event_has_no_organiser_to_choose(app, ann):
    event = make_event(app)
    page = ann.get(f"/events/{event.uuid}/edit").get_data(as_text=True)
    assert "organiser" not in folds(page) and "Organised by" not in page
