"""The organisation-wide parts of the campaign pages (totals, ranked table, charts, summary), rendered once per
version of the campaign's results and language, and kept with the results by the portal's cache.

They show no individual figure, so every employee sees the same HTML; the load benchmark showed the campaign
pages falling well below half the portal's floor when each request rendered them (BENCHMARKS.md, 2026-12-03).
Each function takes everything its fragment depends on; the reference generation, part of every cached value's
key, covers the returns at the collection points that the summary shows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

from flask import render_template
from markupsafe import Markup

from portal.campaigns import display, results, services
from portal.campaigns.charts import line_chart
from portal.campaigns.models import Campaign, CampaignState
from portal.pagination import paginate_list


def _rendered(
    campaign: Campaign, template: str, context: Callable[[], dict[str, Any]], language: str, *key: Hashable
) -> Markup:
    def fragment() -> Markup:
        html = render_template(template, campaign=campaign, **context())
        return Markup(html)  # noqa: S704 - rendered by an autoescaping template  # nosec B704

    return results.cached(campaign, template, fragment, language, *key)


def totals_fragment(campaign: Campaign, *, language: str) -> Markup:
    """The campaign page's totals and goals (`campaigns/_totals.html`)."""

    def context() -> dict[str, Any]:
        totals = results.totals(campaign)
        return {
            "totals": totals,
            "goals": results.goals(campaign, totals),
            "co2e": results.co2e(campaign, totals.freed_bytes),
            "min_team_size": results.MIN_TEAM_SIZE,
        }

    return _rendered(campaign, "campaigns/_totals.html", context, language)


def leaderboard_fragment(campaign: Campaign, *, sort: str, number: int, size: int, language: str) -> Markup:
    """One page of the ranked teams (`campaigns/_leaderboard_table.html`)."""

    def context() -> dict[str, Any]:
        board = results.leaderboard(campaign, sort=sort)
        page = paginate_list(board.teams, number=number, size=size)
        return {"board": board, "page": page, "sort": sort, "min_team_size": results.MIN_TEAM_SIZE}

    return _rendered(campaign, "campaigns/_leaderboard_table.html", context, language, sort, number, size)


def results_fragment(campaign: Campaign, *, today: date, language: str) -> Markup:
    """The daily charts with their data table, by place, CO₂e (`campaigns/_results_body.html`)."""

    def context() -> dict[str, Any]:
        series = results.daily_series(campaign, today=today)
        totals = results.totals(campaign)
        return {
            "series": series,
            "freed_chart": line_chart([(day.day, day.freed_gb) for day in series]),
            "participants_chart": line_chart([(day.day, day.participants) for day in series]),
            "totals": totals,
            "co2e": results.co2e(campaign, totals.freed_bytes),
            "source_labels": display.SOURCES,
            "convention_labels": display.CONVENTIONS,
            "min_team_size": results.MIN_TEAM_SIZE,
        }

    return _rendered(campaign, "campaigns/_results_body.html", context, language, today)


def summary_fragment(campaign: Campaign, *, can_export: bool, language: str) -> Markup:
    """What was freed, by whom (teams), against which goals, and the returns (`campaigns/_summary_body.html`)."""

    def context() -> dict[str, Any]:
        totals = results.totals(campaign)
        return {
            "final": campaign.state == CampaignState.CLOSED.value,
            "can_export": can_export,
            "first_day": services.first_day(campaign),
            "last_day": services.last_day(campaign),
            "totals": totals,
            "co2e": results.co2e(campaign, totals.freed_bytes),
            "board": results.leaderboard(campaign),
            "returns": results.collection_returns(campaign),
            "source_labels": display.SOURCES,
            "convention_labels": display.CONVENTIONS,
            "min_team_size": results.MIN_TEAM_SIZE,
        }

    return _rendered(campaign, "campaigns/_summary_body.html", context, language, campaign.state, can_export)
