"""run.py as a real server sends mail from its scheduler's job: a page answers without waiting for the
mail server, and a refused mail is retried until it arrives, once."""
import requests

from ..harness import RunningInstance, form_token
from ..helpers import MailCatcher


class RefusingOnce(MailCatcher):
    """A mail server that answers the first message with a temporary failure, then takes them."""

    refused = 0

    async def handle_DATA(self, server, session, envelope):
        if not self.refused:
            self.refused = 1
            return "451 4.3.0 try again later"
        return await super().handle_DATA(server, session, envelope)


def test_the_server_retries_refused_mail_from_its_job(tmp_path, instance_env):
    catcher = RefusingOnce()
    catcher.controller.start()
    server = RunningInstance(tmp_path / "instance", env=dict(
        instance_env, MOBILIZON_LITE_SMTP_HOST="127.0.0.1", MOBILIZON_LITE_SMTP_PORT=str(catcher.port),
        MOBILIZON_LITE_MAIL_INTERVAL="1", MOBILIZON_LITE_MAIL_BACKOFF_SCALE="0.01"))
    server.create_user("ann", password="lemon plutonium tea")
    try:
        with server:
            session = requests.Session()
            url = server.base + "/password/forgot"
            response = session.post(url, data={"csrf_token": form_token(session, url), "email": "ann@example.org"},
                                    timeout=10, allow_redirects=False)
            assert response.status_code == 302
            [message] = catcher.wait_for(1)
            assert message["To"] == "ann@example.org" and "/password/reset/" in message.get_content()
            assert catcher.refused == 1
            output = server.output()
    finally:
        catcher.controller.stop()
    assert "not sent yet: 451 4.3.0 try again later" in output
    assert len(catcher.messages) == 1
