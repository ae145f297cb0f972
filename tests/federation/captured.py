"""The payloads captured from other software (../shared/fixtures/activitypub), and the mark of the tests
that read them."""
from pathlib import Path

import pytest

# Real payloads from other software, kept beside the project (CI lays shared/ out the same way).
FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "activitypub"

# Session-scoped (shared_fixtures, in conftest.py), so the check runs before any instance a module would
# start for nothing.
needs_fixtures = pytest.mark.usefixtures("shared_fixtures")


def fixture_names(pattern):
    """Paths (relative to FIXTURES) of the payloads matching pattern. A placeholder stands in when the folder
    is missing, so that the tests are still collected and meet shared_fixtures instead of being dropped as an
    empty parameter set."""
    if not FIXTURES.is_dir():
        return [f"missing/{pattern}"]
    return sorted(str(path.relative_to(FIXTURES)) for path in FIXTURES.glob(pattern))
