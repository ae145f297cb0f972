"""What a serving process loads: heavy libraries wait until a request needs them, so that the server
stays small after start (a Raspberry Pi has 1 GB for everything)."""
import os
import subprocess
import sys

# Each loaded only where used: pictures (Pillow), text written or
# received (Markdown, nh3), signatures (httpsig with pycryptodome, cryptography), requests to
# other servers (urllib3; requests is not used at all), calendar feeds (icalendar's escaping).
LAZY_MODULES = ("PIL", "icalendar", "markdown", "nh3", "Crypto", "httpsig", "cryptography", "urllib3", "requests")

# What run.py loads before it serves: the app, the command line and the scheduler.
SERVER_START = """
import sys
from mobilizon_lite import create_app
from mobilizon_lite.cli import commands
from mobilizon_lite.scheduler import build_scheduler
create_app(instance_path=sys.argv[1])
print(" ".join(sorted(sys.modules)))
"""


def test_a_started_server_has_not_imported_the_heavy_libraries(tmp_path, instance_env):
    result = subprocess.run([sys.executable, "-c", SERVER_START, str(tmp_path / "instance")],
                            capture_output=True, text=True, timeout=120, env=dict(os.environ, **instance_env))
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = set(result.stdout.split())
    assert {"mobilizon_lite.web", "mobilizon_lite.feeds", "mobilizon_lite.scheduler"} <= loaded
    assert sorted(name for name in LAZY_MODULES if name in loaded) == []
