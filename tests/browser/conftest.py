"""Browser tests: Debian's Chromium driven by Playwright against a real run.py server, its mail going
to a real SMTP server on loopback. One server, one mail catcher and one browser per module."""
import shutil

import pytest
from playwright.sync_api import sync_playwright

from ..harness import RunningInstance
from ..helpers import MailCatcher

# Debian's package (.ci/run installs it): Playwright never downloads a browser of its own.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def mail():
    """The SMTP server the module's instance sends its mail to."""
    catcher = MailCatcher()
    catcher.controller.start()
    yield catcher
    catcher.controller.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, instance_env, mail):
    """run.py serving its own instance folder on loopback, its mail to the module's SMTP server."""
    folder = tmp_path_factory.mktemp("browser") / "instance"
    env = dict(instance_env, MOBILIZON_LITE_SMTP_HOST="127.0.0.1", MOBILIZON_LITE_SMTP_PORT=str(mail.port),
               MOBILIZON_LITE_MAIL_INTERVAL="1")
    with RunningInstance(folder, env=env, name="Events by the river") as instance:
        yield instance


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, launched once for the module."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()
