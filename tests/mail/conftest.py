"""The real SMTP server of the messaging tests, for the mail module's own tests."""

from tests.messaging.conftest import smtp, smtp_server  # noqa: F401  (fixtures)
