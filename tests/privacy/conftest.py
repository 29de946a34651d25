"""The campaigns' and messages' fixtures, for the personal data they create."""

from tests.campaigns.conftest import import_rows, make_campaign, measure  # noqa: F401
from tests.messaging.conftest import make_message, start  # noqa: F401
