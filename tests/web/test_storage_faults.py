"""A full or read-only disk: pages answer a styled 503 instead of 500, and work again once it is fixed."""
import pytest

from mobilizon_lite.models import Event

from ..helpers import event_fields, failing_disk, log_in, make_account, submit


@pytest.mark.parametrize("kind", ["readonly", "full"])
def test_a_form_answers_503_while_the_disk_refuses_writes_and_works_after(app, client, kind):
    make_account(app)
    log_in(client)
    # Big enough to need new pages of the file, which a full disk cannot give.
    description = "Bring your toaster. " * 900
    with failing_disk(app, kind):
        assert client.get("/").status_code == 200  # reading goes on
        response = submit(client, "/events/new", event_fields(title="During", description=description))
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        page = response.get_data(as_text=True)
        assert "The site cannot save anything at the moment." in page
        assert "<nav" in page and "style.css" in page  # the site's own page, not a bare error
    with app.app_context():
        assert Event.select().count() == 0
    # No restart: the same app saves again as soon as the disk does.
    response = submit(client, "/events/new", event_fields(title="After", description=description))
    assert response.status_code == 302
    with app.app_context():
        assert [event.title for event in Event.select()] == ["After"]
