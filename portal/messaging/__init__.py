"""Personalised messages: the communications team writes, targets, previews, schedules and follows them;
every employee reads theirs in the portal inbox and by e-mail."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.areas import Area, HomePanel
from portal.messaging.home import home_messages
from portal.messaging.inbox import unread_count_column
from portal.personal_data import RetentionRule

bp = Blueprint("messaging", __name__)

AREAS = (
    Area(
        "messaging.inbox",
        _l("My messages"),
        _l("Messages from the responsible digital programme, with your own figures."),
        order=20,
        counter=unread_count_column,
    ),
    Area(
        "messaging.comms_messages",
        _l("Messages to employees"),
        _l("Write personalised messages, choose the audience, preview, send and follow delivery."),
        role="comms",
        order=70,
    ),
)
HOME_PANELS = (HomePanel("messaging/_home.html", home_messages),)

from portal.campaigns.services import dates_changed  # noqa: E402
from portal.messaging import admin_routes, display, personal_data, routes, services  # noqa: E402,F401  (routes register)

display.register(bp)
# Messages timed on a campaign follow its dates: the campaigns domain announces a change, messaging (after it in
# portal/domains.py) listens.
dates_changed.connect(services.on_campaign_dates_changed, weak=False)

PERSONAL_DATA = (personal_data.messages,)
RETENTION = (
    RetentionRule("inbox", "PORTAL_RETENTION_INBOX_MONTHS", "months", personal_data.empty_old_inbox),
    RetentionRule("outbox", "PORTAL_RETENTION_OUTBOX_DAYS", "days", personal_data.trim_delivered_outbox),
)
