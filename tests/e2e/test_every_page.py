"""Every GET page of the URL map, found automatically and visited in Chromium with the demo data, as the
least privileged demo account that may open it: no serious or critical axe violation, EcoIndex grade A.
A page added later is visited without anyone remembering it (a new kind of URL parameter fails loudly
until it is given a sample below)."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page

from portal.models import db
from tests.e2e.ecoindex_file import write_ecoindex_file
from tests.e2e.helpers import (
    chart_texts_cut,
    figures_sticking_out,
    french_punctuation_problems,
    measure_ecoindex,
    reflow_problems,
    serious_accessibility_violations,
    small_tap_targets,
    squeezed_cells,
    viewport_width,
)

ROLES = ("employee", "manager", "comms", "admin")
ACCOUNTS = {"employee": "agent", "manager": "manager", "comms": "comms", "admin": "admin"}
#: Pages that are not HTML for a person (files, APIs) or that only redirect.
NOT_PAGES = {"accounts.login_form", "accounts.provider_login", "accounts.provider_callback", "main.healthz"}


def _sample_ids() -> dict[str, Callable[[str], object | None]]:
    """How to find an existing id for each kind of URL parameter, for a given demo account."""
    from portal.accounts.models import User
    from portal.catalogue.models import CatalogueItem, Factor, Order

    def user(local: str) -> User:
        return db.session.scalar(sa.select(User).where(User.email == f"{local}@demo.example"))

    def order_for(local: str) -> int | None:
        me = user(local)
        return db.session.scalar(sa.select(Order.id).where(
            sa.or_(Order.requester_id == me.id, Order.approver_id == me.id)).order_by(Order.id).limit(1)) \
            or (db.session.scalar(sa.select(Order.id).limit(1)) if me.has_role("admin") else None)

    samples: dict[str, Callable[[str], object | None]] = {
        "item_id": lambda _: db.session.scalar(sa.select(CatalogueItem.id).where(CatalogueItem.active.is_(True))
                                               .order_by(CatalogueItem.id).limit(1)),
        "order_id": order_for,
        "key": lambda _: db.session.scalar(sa.select(Factor.key).where(Factor.key == "laptop")),
        "user_id": lambda local: user(local).id,
        "hub": lambda local: "me",  # the back office's hubs: tests/e2e/test_header.py
    }
    try:
        from portal.campaigns.models import Campaign, StorageImport

        samples["campaign_id"] = lambda _: db.session.scalar(
            sa.select(Campaign.id).order_by(Campaign.id.desc()).limit(1)
        )
        samples["import_id"] = lambda _: db.session.scalar(sa.select(StorageImport.id).limit(1))
        from portal.campaigns.models import GuideSection

        samples["section_id"] = lambda _: db.session.scalar(sa.select(GuideSection.id).order_by(GuideSection.id)
                                                            .limit(1))
    except ImportError:
        pass
    try:
        from portal.locator.models import CollectionPoint, DeviceReturn

        samples["point_id"] = lambda _: db.session.scalar(
            sa.select(CollectionPoint.id).order_by(CollectionPoint.id).limit(1)
        )
        samples["return_id"] = lambda local: db.session.scalar(
            sa.select(DeviceReturn.id).where(DeviceReturn.user_id == user(local).id).limit(1))
    except ImportError:
        pass
    try:
        from portal.messaging.models import Message, MessageRecipient, MessageTemplate

        def message_for(local: str) -> int | None:
            me = user(local)
            if me.has_role("comms"):  # the comms pages: the latest message written
                return db.session.scalar(sa.select(Message.id).order_by(Message.id.desc()).limit(1))
            return db.session.scalar(sa.select(MessageRecipient.message_id)
                                     .where(MessageRecipient.user_id == me.id).limit(1))

        samples["message_id"] = message_for
        samples["template_id"] = lambda _: db.session.scalar(sa.select(MessageTemplate.id).limit(1))
        samples["trigger_key"] = lambda _: "device_age"
    except ImportError:
        pass
    try:
        from portal.itsm.models import ItsmModel, SyncTableReport

        samples["run_id"] = lambda _: db.session.scalar(  # the run with the most refused records
            sa.select(SyncTableReport.run_id).order_by(SyncTableReport.rejected.desc()).limit(1))
        samples["model_id"] = lambda _: db.session.scalar(
            sa.select(ItsmModel.id).where(ItsmModel.match == "category").order_by(ItsmModel.id).limit(1))
    except ImportError:
        pass
    try:
        from portal.digital_services.models import DigitalService

        samples["service_id"] = lambda _: db.session.scalar(
            sa.select(DigitalService.id).order_by(DigitalService.id).limit(1))
        samples["kind"] = lambda _: "services"  # the CSV export of the services
    except ImportError:
        pass
    try:
        from portal.budgets.models import BudgetLine

        samples["line_id"] = lambda _: db.session.scalar(sa.select(BudgetLine.id).order_by(BudgetLine.id).limit(1))
    except ImportError:
        pass
    samples["unit_id"] = lambda local: user(local).org_unit_id  # the estate's unit page: the account's own unit
    try:
        from portal.plans.models import Action

        samples["plan_id"] = lambda local: db.session.scalar(  # a plan holding one of the account's actions
            sa.select(Action.plan_id).where(Action.owner_id == user(local).id).limit(1))
        samples["action_id"] = lambda _: db.session.scalar(
            sa.select(Action.id).where(Action.public.is_(True)).order_by(Action.id).limit(1))
        from portal.plans.models import CheckIn

        samples["check_in_id"] = lambda local: db.session.scalar(  # the account's own check-in on that action
            sa.select(CheckIn.id).where(CheckIn.action_id == samples["action_id"](local),
                                        CheckIn.author_id == user(local).id).limit(1))
    except ImportError:
        pass
    return samples


def _least_role(view) -> str:  # noqa: ANN001
    roles = getattr(view, "required_roles", ())
    for role in ROLES:
        if not roles or role in roles:
            return role
    return "admin"


def _pages(app) -> list[tuple[str, str, str]]:
    """(role, endpoint, url) of every GET page, with sample ids from the demo data."""
    samples = _sample_ids()
    pages = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES:
            continue
        view = app.view_functions[rule.endpoint]
        role = _least_role(view)  # a public page (statements) is visited logged in, as an employee
        values = {}
        for argument in rule.arguments:
            assert argument in samples, f"{rule}: give a sample for <{argument}> in test_every_page.py"
            values[argument] = samples[argument](ACCOUNTS[role])
        if any(value is None for value in values.values()):
            continue  # nothing of that kind in the demo for this account
        pages.append((role, rule.endpoint, rule.build(values, append_unknown=False)[1]))
    return sorted(pages)


@pytest.fixture
def demo(app):
    from portal.demo.services import load_demo

    load_demo()
    db.session.commit()


def test_every_page_is_accessible_and_light(page: Page, app, demo, browser_login):
    from portal.accounts.services import find_user_by_email

    pages = _pages(app)
    assert len(pages) > 20
    report, problems, measured, not_measured = [], [], [], {}
    current_role = None
    for role, endpoint, url in pages:
        if role != current_role:
            page.context.clear_cookies()
            browser_login(find_user_by_email(f"{ACCOUNTS[role]}@demo.example"), password="demo1234")
            current_role = role
        response = page.request.get(url)
        if "text/html" not in response.headers.get("content-type", ""):
            not_measured[endpoint] = "not_html"
            continue  # a file or an API: checked by its domain's tests
        eco = measure_ecoindex(page, url)
        violations = serious_accessibility_violations(page)
        if punctuation := french_punctuation_problems(page):
            problems.append(f"{role} {url}: French punctuation without its space: {punctuation[:4]}")
        if sticking_out := figures_sticking_out(page):
            problems.append(f"{role} {url}: figures wider than their box: {sticking_out[:4]}")
        if cut := chart_texts_cut(page):
            problems.append(f"{role} {url}: chart texts cut off: {cut[:4]}")
        if response.ok:
            measured.append((role, endpoint, url, eco))
        else:
            not_measured[endpoint] = "refused"
        report.append(f"{eco.grade} {eco.score:5.1f} {eco.dom_nodes:4d} nodes {eco.requests:2d} req "
                      f"{eco.size_kb:6.1f} KB  {role:8s} {url}")
        if violations:
            problems.append(f"{role} {url}: {violations}")
        # 320 CSS px (a 1280 px screen zoomed to 400 %, or a small phone): no sideways scrolling of the page,
        # and still no serious or critical violation (tables that now scroll must be reachable by keyboard).
        with viewport_width(page, 320):
            reflow = reflow_problems(page)
            narrow_violations = serious_accessibility_violations(page)
            small_targets = small_tap_targets(page)  # WCAG 2.2 2.5.8: 24 × 24 CSS px, or spaced
            narrow_sticking_out = figures_sticking_out(page)
            squeezed = squeezed_cells(page)
            narrow_cut = chart_texts_cut(page)
            if page.locator("details.menu > summary").is_visible():  # the phone menu, opened
                page.locator("details.menu > summary").click()
                small_targets += small_tap_targets(page)
        if small_targets:
            problems.append(f"{role} {url} at 320 px: tap targets under 24 px: {sorted(set(small_targets))[:6]}")
        if reflow:
            problems.append(f"{role} {url} at 320 px: {reflow}")
        if narrow_sticking_out:
            problems.append(f"{role} {url} at 320 px: figures wider than their box: {narrow_sticking_out[:4]}")
        if squeezed:
            problems.append(f"{role} {url} at 320 px: table columns squeezed: {squeezed[:4]}")
        if narrow_cut:
            problems.append(f"{role} {url} at 320 px: chart texts cut off: {narrow_cut[:4]}")
        if narrow_violations:
            problems.append(f"{role} {url} at 320 px: {narrow_violations}")
        if eco.grade != "A":
            problems.append(f"{role} {url}: {eco}")
    print("\nEcoIndex of every page:\n" + "\n".join(report))
    assert not problems, "\n" + "\n".join(problems)
    if os.environ.get("PORTAL_WRITE_ECOINDEX"):  # a clean run refreshes the figures the eco-design page shows
        write_ecoindex_file(app, page, measured, not_measured)
