"""portal/mail.py, the one place that talks SMTP: against a real server, and to .eml files without one."""

from __future__ import annotations

import email
import email.policy

import pytest

from portal import mail
from tests.messaging.conftest import free_port


def an_email(to: str = "ana@test.example", **overrides) -> mail.Email:
    values = {"to": to, "subject": "Réunion à 14 h", "text": "Bonjour Ana", "html": "<p>Bonjour <b>Ana</b></p>",
              "message_id": "<m1.e1@localhost>", "headers": {"Auto-Submitted": "auto-generated"}}
    values.update(overrides)
    return mail.Email(**values)


def test_multipart_text_and_html_with_the_given_message_id(app, smtp):
    mail.send(an_email())
    (received,) = smtp.received
    assert received.message_id == "<m1.e1@localhost>"
    assert received.parsed["Subject"] == "Réunion à 14 h"
    assert received.parsed["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert received.parsed["Auto-Submitted"] == "auto-generated"
    assert received.part("text/plain").strip() == "Bonjour Ana"
    assert received.part("text/html").strip() == "<p>Bonjour <b>Ana</b></p>"


def test_one_connection_is_reused_for_a_batch(smtp):
    with mail.connection() as transport:
        for n in range(5):
            transport.send(an_email(f"agent{n}@test.example", message_id=f"<{n}@localhost>"))
    assert len(smtp.received) == 5
    assert smtp.connections == 1


def test_4xx_is_temporary_and_5xx_permanent_and_the_connection_stays_usable(smtp):
    smtp.replies["a@test.example"] = ["451 4.7.1 greylisted"]
    smtp.replies["b@test.example"] = ["550 5.1.1 unknown user"]
    with mail.connection() as transport:
        with pytest.raises(mail.DeliveryError) as temporary:
            transport.send(an_email("a@test.example"))
        with pytest.raises(mail.DeliveryError) as permanent:
            transport.send(an_email("b@test.example"))
        transport.send(an_email("c@test.example"))
    assert (temporary.value.code, temporary.value.permanent, str(temporary.value)) == (
        451, False, "451 4.7.1 greylisted"
    )
    assert (permanent.value.code, permanent.value.permanent) == (550, True)
    assert [r.recipient for r in smtp.received] == ["c@test.example"]
    assert smtp.connections == 1


def test_a_dropped_connection_is_reported_then_reopened(smtp):
    smtp.hang_up_at = {1}
    with mail.connection() as transport:
        transport.send(an_email("a@test.example"))
        with pytest.raises(mail.ConnectionLost) as lost:
            transport.send(an_email("b@test.example"))
        transport.send(an_email("c@test.example"))
    assert not lost.value.permanent
    assert [r.recipient for r in smtp.received] == ["a@test.example", "c@test.example"]
    assert smtp.connections == 2


def test_an_unreachable_server_is_a_lost_connection(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    with pytest.raises(mail.ConnectionLost) as lost:
        mail.send(an_email())
    assert "cannot connect" in str(lost.value)


def test_without_mail_server_each_email_is_an_eml_file_named_after_its_message_id(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path / "mail"))
    mail.send(an_email())
    mail.send(an_email(text="Bonjour encore"))  # the same Message-ID: the same file, replaced
    (file,) = (tmp_path / "mail").glob("*.eml")
    assert file.name == "m1.e1@localhost.eml"
    parsed = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
    assert parsed.get_body(("plain",)).get_content().strip() == "Bonjour encore"


def test_message_ids_are_stable_and_in_the_portal_domain(app):
    assert mail.make_message_id("m12.e345") == "<m12.e345@localhost>"
    assert mail.make_message_id("a b/c") == "<a-b-c@localhost>"


def test_long_paragraphs_never_make_lines_longer_than_smtp_allows(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    paragraph = "Garder ses équipements plus longtemps évite l’essentiel de leur empreinte. " * 50  # 3,800 chars
    mail.send(an_email(text=paragraph, html=f"<p>{paragraph}</p>", message_id="<long@localhost>"))
    raw = (tmp_path / "long@localhost.eml").read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 990  # SMTP allows 998 octets
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    plain = parsed.get_body(("plain",)).get_content()
    assert plain.replace("\r\n", " ").replace("\n", " ").strip() == paragraph.strip()  # broken at spaces only
    assert "<p>Garder ses équipements" in parsed.get_body(("html",)).get_content()


def test_a_text_only_email_and_encoded_headers(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    mail.send(an_email(html=None, subject="Équipements : votre empreinte\nBcc: x@evil.example",
                       message_id="<text@localhost>"))
    parsed = email.message_from_bytes((tmp_path / "text@localhost.eml").read_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content().strip() == "Bonjour Ana"
    assert parsed["Subject"] == "Équipements : votre empreinte Bcc: x@evil.example"  # one line: no injection
    assert parsed["Bcc"] is None
