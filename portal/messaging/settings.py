"""The messaging settings, read from app.config with their defaults here (the environment gives strings)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

#: name → default. Override any of them with an environment variable of the same name.
DEFAULTS: Mapping[str, int | float] = {
    # How often the jobs process looks for messages to start and e-mails to send (seconds).
    "PORTAL_MESSAGING_DISPATCH_SECONDS": 10,
    # E-mails claimed and sent over one SMTP connection.
    "PORTAL_MESSAGING_BATCH_SIZE": 200,
    # Recipients personalised and written per database round trip when sending starts.
    "PORTAL_MESSAGING_FREEZE_BATCH": 500,
    # A 4xx reply is retried after base × 2^(attempt − 1) seconds, up to this many attempts in all
    # (defaults: 5 min, 10 min, … 10 h 40: nine attempts over about 21 hours).
    "PORTAL_MESSAGING_MAX_ATTEMPTS": 9,
    "PORTAL_MESSAGING_RETRY_BASE_SECONDS": 300,
    # A worker's claim on a batch; rows of a worker that died are taken again after it.
    "PORTAL_MESSAGING_LEASE_SECONDS": 300,
    # The message pauses when more than this share of a batch fails (batches of at least MIN_BATCH e-mails).
    "PORTAL_MESSAGING_PAUSE_FAILURE_SHARE": 0.5,
    "PORTAL_MESSAGING_PAUSE_MIN_BATCH": 10,
    # Above this many recipients, the confirmation step asks to type their number before sending.
    "PORTAL_MESSAGING_CONFIRM_TYPING_ABOVE": 1000,
    # How often the jobs process runs the automatic messages' triggers (seconds).
    "PORTAL_MESSAGING_TRIGGERS_SECONDS": 300,
    # Events older than this many days are not sent any more (nor recorded: a trigger turned on does not
    # send about last year's events).
    "PORTAL_MESSAGING_TRIGGER_LOOKBACK_DAYS": 30,
    # At most one automatic message per employee in this many days; the others wait their turn.
    "PORTAL_MESSAGING_AUTOMATIC_MIN_DAYS": 7,
}


def setting(name: str) -> Any:
    """The configured value, of its default's type."""
    default = DEFAULTS[name]
    value = current_app.config.get(name, default)
    return type(default)(value)
