"""The portal's one time zone: Europe/Paris, where every date and time a person reads or types is.

Instants are stored in UTC (`portal.models.utcnow`); they become Paris dates and times only to be shown,
grouped by day or compared with a date someone typed. Standard library only (pure modules use it).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
