"""What the privacy domain says in words: the processing register (shown to the DPO and, as the notice, to
everyone) and the retention rules' names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Processing:
    """A processing activity of the register (GDPR article 30): why, what, for whom, how long. `retention` may
    quote the configured periods by the names of `retention_periods`."""

    name: Any
    purpose: Any
    data: Any
    recipients: Any
    retention: Any


#: The processing activities of the portal, in the order the notice and the register list them.
PROCESSING = (
    Processing(
        _l("Employee accounts and sign-in"),
        _l("Let each employee sign in and see what concerns them; keep the accounts in step with the directory."),
        _l("Names, work e-mail address, language, org unit, site, manager, roles, identifier at the identity "
           "provider and in the directory, last sign-in."),
        _l("The employee; the portal's administrators (IT department)."),
        _l("While the person works for the organisation; %(deactivated)s months after the account is "
           "deactivated, its names, e-mail address and links are replaced by a pseudonym."),
    ),
    Processing(
        _l("Devices and equipment requests"),
        _l("Show each employee the footprint of their devices, handle equipment requests and their approval, "
           "and the return of old devices."),
        _l("Devices assigned (inventory tag, serial number, model, date), requests with their justification, "
           "decisions and comments."),
        _l("The employee; their manager for the requests to approve; the administrators."),
        _l("Devices as long as they are in the inventory; requests are kept for the equipment accounts, their "
           "free texts are emptied when the account is pseudonymised."),
    ),
    Processing(
        _l("Clean-up campaigns"),
        _l("Measure the storage each participant frees during a campaign, and show the team and campaign results."),
        _l("Mailbox and drive sizes measured (Microsoft 365 or Exchange reports), participation, actions ticked."),
        _l("Individual figures: the employee alone. Teams are shown from 5 counted participants, smaller ones "
           "are grouped; anyone can keep themselves out of their team's count."),
        _l("Storage measures %(storage)s months (longer only while a campaign that has not closed needs them as "
           "its starting point); campaign results are kept as totals."),
    ),
    Processing(
        _l("Personalised messages"),
        _l("Inform employees about their devices, the campaigns and practical matters, in the portal and by e-mail."),
        _l("Each message as personalised for its recipient (it may quote their figures), e-mail delivery state, "
           "e-mail preferences."),
        _l("The employee; the communications team writes the messages and sees their delivery figures."),
        _l("Message contents %(inbox)s months, then removed (the fact of delivery stays in the figures); the mail "
           "server's replies %(outbox)s days."),
    ),
    Processing(
        _l("Home-page notices"),
        _l("Tell an employee that a request was decided or a device delivered."),
        _l("The notice and when it was read."),
        _l("The employee."),
        _l("Deleted %(notice)s months after being read."),
    ),
    Processing(
        _l("Device returns at collection points"),
        _l("Follow the devices brought back and the collection points' statistics."),
        _l("Returns declared (point, device, date) and their receipt."),
        _l("The employee; the administrators."),
        _l("Kept in the collection points' statistics; linked to the pseudonym once the account is pseudonymised."),
    ),
    Processing(
        _l("Login security"),
        _l("Slow down password guessing."),
        _l("Failed login attempts, counted per network address and per e-mail address."),
        _l("Nobody: these are counters."),
        _l("One minute (the counting window), never written to the database."),
    ),
)

#: The retention rules the jobs process applies each night (portal.personal_data.RetentionRule.key).
RETENTION_RULES = {
    "deactivated_accounts": _l("Accounts deactivated for longer than this: names, e-mail and links pseudonymised"),
    "notices": _l("Notices read longer ago than this: deleted"),
    "order_texts": _l("Pseudonymised accounts' requests: justification and decision comment emptied"),
    "storage_snapshots": _l("Storage measures older than this: deleted"),
    "inbox": _l("Messages delivered longer ago than this: content removed from the inbox"),
    "outbox": _l("E-mails done with longer ago than this: the mail server's reply cut to its code"),
}

#: The periods the texts quote, by name, and the setting each comes from.
RETENTION_SETTINGS = {
    "deactivated": "PORTAL_RETENTION_DEACTIVATED_MONTHS",
    "storage": "PORTAL_RETENTION_STORAGE_MONTHS",
    "inbox": "PORTAL_RETENTION_INBOX_MONTHS",
    "outbox": "PORTAL_RETENTION_OUTBOX_DAYS",
    "notice": "PORTAL_RETENTION_NOTICE_MONTHS",
}


def retention_periods(config: Mapping[str, Any]) -> dict[str, int]:
    """The configured periods, by the names the register's texts quote."""
    return {name: int(config[setting]) for name, setting in RETENTION_SETTINGS.items()}
