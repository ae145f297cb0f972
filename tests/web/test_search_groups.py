"""Search finds the public groups of this instance, never the unlisted ones."""
from ..helpers import make_account, make_group


def test_search_lists_public_groups_only(app, client):
    make_account(app)
    make_group(app, "velo", name="Vélo club", summary_source="Rides every **Sunday**")
    make_group(app, "secret_club", name="Quiet club", visibility="unlisted")
    page = client.get("/search?q=club").get_data(as_text=True)
    assert "Vélo club" in page and "@velo" in page
    assert "Quiet club" not in page and "secret_club" not in page
    # Words of the description find it too; every word must match.
    assert "@velo" in client.get("/search?q=sunday").get_data(as_text=True)
    assert "@velo" not in client.get("/search?q=sunday+chess").get_data(as_text=True)
