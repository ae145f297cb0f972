"""Prepared queries: written once, run with fresh values, on the current app's database."""
from mobilizon_lite import create_app
from mobilizon_lite.models import Event
from mobilizon_lite.services.prepared import Prepared

from ..helpers import make_account, make_event


def titled(limit, uuid):
    """Given values among the query's own fixed ones (the visibility before, the title after), taken
    in another order than the SQL's."""
    return (Event.select(Event.title).where((Event.visibility == "public") & (Event.uuid == uuid)
                                            & (Event.title != "never")).limit(limit).tuples())


def test_values_go_to_their_places_and_rows_are_read_afresh(app):
    make_account(app)
    first, second = make_event(app, title="First"), make_event(app, title="Second")
    query = Prepared(2, titled)
    with app.app_context():
        assert list(query.rows(5, first.uuid)) == [("First",)]
        assert query.first(5, second.uuid) == ("Second",)
        assert query.first(0, second.uuid) is None
        Event.update(title="Renamed").where(Event.id == second.id).execute()
        assert query.first(5, second.uuid) == ("Renamed",)


def test_each_app_reads_its_own_database(app, app_config, tmp_path, new_database):
    other = create_app({**app_config, "DATABASE": str(tmp_path / "other.sqlite3"), **new_database()},
                       instance_path=str(tmp_path / "other"))
    query = Prepared(2, titled)
    for each, title in ((app, "Here"), (other, "There")):
        make_account(each)
        event = make_event(each, title=title)
        with each.app_context():
            assert query.first(1, event.uuid) == (title,)
    with app.app_context():
        assert query.first(1, event.uuid) is None  # the other app's event is not in this database
