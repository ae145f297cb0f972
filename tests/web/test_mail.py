"""Email: SMTP through a real server, .eml files without one, the recipient's language."""
from email import message_from_bytes
from email.policy import default
from pathlib import Path

from mobilizon_lite import create_app
from mobilizon_lite.services import accounts

from ..helpers import free_port, make_account, submit


def test_without_smtp_mail_is_written_as_eml_files(app, client):
    make_account(app)
    submit(client, "/password/forgot", {"email": "ann@example.org"})
    [path] = (Path(app.instance_path) / "mail").glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=default)
    assert message["To"] == "ann@example.org"
    assert message["From"] == "noreply@events.test"
    assert "http://events.test/password/reset/" in message.get_content()


def test_mail_is_written_in_the_recipient_language(mail_app, smtp):
    account = make_account(mail_app)
    with mail_app.app_context():
        accounts.set_locale(account, "fr")
    # The request itself is in English; the email follows the account.
    submit(mail_app.test_client(), "/password/forgot", {"email": "ann@example.org"},
           headers={"Accept-Language": "en"})
    [message] = smtp.wait_for(1)
    assert message["Subject"] == "Choisissez un nouveau mot de passe sur mobilizon_lite"
    assert "Bonjour," in message.get_content()


def test_unreachable_smtp_server_is_no_500(tmp_path, app_config):
    app = create_app(dict(app_config, SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2),
                     instance_path=str(tmp_path / "instance"))
    make_account(app)
    response = submit(app.test_client(), "/password/forgot", {"email": "ann@example.org"})
    assert response.status_code == 302
