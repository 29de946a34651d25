"""The campaign's results as a CSV file, through the portal's one CSV writer (formulas neutralised)."""

from __future__ import annotations

from decimal import Decimal

from portal import csvio
from portal.campaigns.conventions import CONVENTIONS
from portal.campaigns.models import Campaign
from portal.campaigns.results import TeamRow, co2e, leaderboard, totals

CSV_COLUMNS = (
    "row",
    "team",
    "teams",
    "participants",
    "eligible_employees",
    "participation_rate",
    "freed_gb",
    "freed_items",
    "freed_gb_per_participant",
    "rank_gb_per_participant",
    "co2e_kg",
    "co2e_convention",
)


def _decimal(value: Decimal | None, places: str = "0.001") -> str:
    return "" if value is None else str(value.quantize(Decimal(places)))


def summary_csv(campaign: Campaign, *, other_teams_label: str, total_label: str) -> str:
    """The campaign's results as CSV: one line per ranked team, the other teams, and the campaign total.

    Numbers are written with a dot and no grouping; text cells are neutralised; no individual figure, and
    the figures the privacy rule withholds are empty cells. UTF-8 with a byte-order mark, for spreadsheets.
    """
    board = leaderboard(campaign)
    total = totals(campaign)
    convention = CONVENTIONS[campaign.co2e_convention].source

    def team_line(kind: str, row: TeamRow) -> list[str]:
        figures = row.shown
        return [
            kind,
            row.name,
            str(row.teams),
            str(row.participants),
            str(row.eligible),
            _decimal(row.participation_rate, "0.0001"),
            _decimal(row.freed_gb) if figures else "",
            str(row.freed_items) if figures else "",
            _decimal(row.gb_per_participant) if figures else "",
            str(row.rank or ""),
            _decimal(co2e(campaign, row.freed_bytes).kg) if figures else "",
            convention if figures else "",
        ]

    lines = [team_line("team", row) for row in board.teams]
    if board.others is not None:
        board.others.name = other_teams_label
        lines.append(team_line("other_teams", board.others))
    freed_gb = total.freed_gb
    figures = freed_gb is not None
    lines.append(
        [
            "campaign",
            total_label,
            "",
            str(total.participants),
            str(total.eligible),
            _decimal(total.participation_rate, "0.0001"),
            _decimal(freed_gb),
            str(total.freed_items) if figures else "",
            _decimal(freed_gb / total.participants) if freed_gb is not None and total.participants else "",
            "",
            _decimal(co2e(campaign, total.freed_bytes).kg),
            convention if figures else "",
        ]
    )
    return csvio.to_text(CSV_COLUMNS, lines)
