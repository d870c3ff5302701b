"""A stand-in mail server for tests: records what Heard sends, refuses one address."""

import smtplib

REFUSED = "nobody@example.org"


def fake_smtp(monkeypatch, app, **settings) -> list[tuple]:
    """Point Heard at a fake SMTP server; return the list it records its calls in.

    Each message sent is recorded as ("send", To, the message itself).
    """
    sent: list[tuple] = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

        def starttls(self):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user))

        def send_message(self, message):
            if message["To"] == REFUSED:
                raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such user")})
            sent.append(("send", message["To"], message))

    monkeypatch.setattr("webapp.mail.smtplib.SMTP", FakeSMTP)
    app.config.update(HEARD_SMTP_HOST="mail.example.org", **settings)
    return sent


def sent_messages(sent: list[tuple]) -> list[tuple[str, object]]:
    """Each message the stand-in server was given to send, with its address, in order."""
    return [(call[1], call[2]) for call in sent if call[0] == "send"]


def mail_server_down(monkeypatch) -> None:
    """Make every connection to the mail server fail, as when it is down."""

    def down(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("webapp.mail.smtplib.SMTP", down)
