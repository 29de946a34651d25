"""The ITSM tests' Table API on a real HTTP server and the settings pointing at it, for the servers' sync."""

from tests.itsm.conftest import connection, instance, itsm_settings  # noqa: F401 - shared fixtures
