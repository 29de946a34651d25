"""The main journeys with the keyboard only, in Chromium: order an item, join a campaign and tick an action,
find a collection point. Nothing is clicked or filled by selector: the keys a person presses move the focus
and operate the controls; selectors only say which control we expect to reach and read what is shown.

At every stop of the Tab key we check that the focus is visible (an outline or a shadow that the element
does not have unfocused, its colour at 3:1 at least against what is around it), that it goes forwards in
reading order, and after every htmx swap that the focus is not dropped on <body>."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import datetime, timedelta
from decimal import Decimal

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from portal.campaigns import imports
from portal.locator import exchange
from portal.locator import services as locator_services
from portal.models import db
from portal.timezone import PARIS
from tests.campaigns.conftest import GB, generic_csv
from tests.e2e.helpers import assert_accessible

#: Tab presses after which a control counts as unreachable.
MAX_TABS = 80

# What the focused element looks like, and the same element unfocused (a clone beside it, never focused).
_FOCUS_STATE = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) { return null; }
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) { return null; }
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((m, n) => n - m);
    return (x + 0.05) / (y + 0.05);
  };
  const background = (node) => {
    for (; node && node.nodeType === 1; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c && c.a > 0.5) { return c; }
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const look = (s) => [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
                       s.borderColor, s.color, s.textDecorationLine].join("|");
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const outlineWidth = parseFloat(style.outlineWidth) || 0;
  const outlineColor = parse(style.outlineColor);
  const outline = style.outlineStyle !== "none" && outlineWidth >= 2 && outlineColor && outlineColor.a > 0.5;
  const shadow = style.boxShadow !== "none";
  // The colour just outside the ring (or inside it when drawn over the element): what it must stand out from.
  let ringContrast = null;
  if (outline) {
    const offset = parseFloat(style.outlineOffset) || 0;
    const y = rect.top + rect.height / 2;
    let x = rect.left - offset - outlineWidth - 1;
    if (x < 0) { x = rect.right + offset + outlineWidth + 1; }
    const under = offset < 0 ? el : (document.elementsFromPoint(x, y)[0] || el.parentElement);
    ringContrast = contrast(outlineColor, background(under));
  }
  const focusedLook = look(style);
  const clone = el.cloneNode(false);  // its own styles are what matter, not its content
  for (const name of ["id", "name", "autofocus", "form", "for"]) { clone.removeAttribute(name); }
  clone.setAttribute("tabindex", "-1");
  el.after(clone);
  const unfocusedLook = look(getComputedStyle(clone));
  clone.remove();
  const labels = el.labels && el.labels.length ? el.labels[0].textContent : "";
  const name = (el.getAttribute("aria-label") || labels || el.textContent || el.value || "")
    .replace(/\\s+/g, " ").trim();
  const previous = window.__keyboardPrevious;
  window.__keyboardPrevious = el;
  let forwards = null;
  if (previous && previous.isConnected && previous !== el) {
    forwards = Boolean(previous.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
  }
  return {
    description: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} “${name.slice(0, 60)}”`,
    visibleIndicator: (outline || shadow) && focusedLook !== unfocusedLook,
    ringContrast,
    onScreen: rect.width > 1 && rect.height > 1 && rect.bottom > 0 && rect.right > 0
      && rect.top < innerHeight && rect.left < innerWidth,
    positiveTabindex: el.tabIndex > 0,
    forwards,
  };
}
"""


class KeyboardUser:
    """A person with a keyboard: Tab to a control (checking every stop on the way), then operate it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.path: list[str] = []

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def focused(self) -> dict | None:
        return self.page.evaluate(_FOCUS_STATE)

    def check_focus(self, backwards: bool = False) -> dict:
        """The focus is on an element (not <body>), visibly, and moved in reading order."""
        state = self.focused()
        assert state is not None, f"{self.page.url}: the focus is lost on <body> after {self.path[-5:]}"
        where = f"{self.page.url}: {state['description']}"
        assert state["onScreen"], f"{where} is focused but not on screen"
        assert state["visibleIndicator"], f"{where} shows no focus indicator (outline or shadow)"
        if state["ringContrast"] is not None:
            assert state["ringContrast"] >= 3, f"{where}: focus ring at {state['ringContrast']:.2f}:1 only"
        assert not state["positiveTabindex"], f"{where} has a positive tabindex (jumps the reading order)"
        if state["forwards"] is not None:
            assert state["forwards"] is not backwards, f"{where} is reached out of reading order"
        return state

    def is_focused(self, target: Locator) -> bool:
        return target.evaluate("el => el === document.activeElement")

    def tab_to(self, target: Locator, *, backwards: bool = False, max_tabs: int = MAX_TABS) -> int:
        """Press Tab (or Shift+Tab) until `target` has the focus; fail if it takes more than `max_tabs`."""
        expect(target).to_have_count(1)
        if self.is_focused(target):
            return 0
        for presses in range(1, max_tabs + 1):
            self.press("Shift+Tab" if backwards else "Tab")
            self.path.append(self.check_focus(backwards)["description"])
            if self.is_focused(target):
                return presses
        raise AssertionError(f"{self.page.url}: {target} not reached after {max_tabs} tabs: {self.path[-max_tabs:]}")

    def skip_to_content(self) -> None:
        """The first Tab of a page reaches the skip link; Enter moves the focus to the main content."""
        self.page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
        self.press("Tab")
        skip = self.page.get_by_role("link", name="Aller au contenu")
        assert self.is_focused(skip), f"{self.page.url}: the first Tab does not reach the skip link"
        self.check_focus()
        self.press("Enter")
        expect(self.page.locator("main#content")).to_be_focused()
        self.check_focus()
        self.press("Tab")  # the next stop is inside the main content, not back in the header menu
        inside = self.page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
        assert inside, f"{self.page.url}: after the skip link, Tab leaves the main content"
        self.path.append(self.check_focus()["description"])

    def leaves_the_page(self) -> None:
        """No trap: from where the focus is, Tab goes on to the last link of the footer."""
        self.tab_to(self.page.locator("footer").get_by_role("link", name="Écoconception"))

    def focus_survived_swap(self) -> dict:
        """After an htmx swap the focus is still on an element of the page, visible.

        htmx moves the focus when the swap settles (its settle delay after the new content appears): wait
        up to two seconds for the focus to be off <body>, then check where it is.
        """
        self.page.wait_for_load_state("networkidle")
        with contextlib.suppress(PlaywrightTimeoutError):  # check_focus then reports where the focus is lost
            self.page.wait_for_function(
                "() => document.activeElement && document.activeElement !== document.body", timeout=2000
            )
        return self.check_focus()


# ---------------------------------------------------------------------------------------------------------
# a. Order an item
# ---------------------------------------------------------------------------------------------------------


def test_order_an_item_with_the_keyboard(page: Page, make_user, make_item, make_asset, browser_login):
    manager = make_user(roles=("manager",), first_name="Marc")
    agent = make_user(first_name="Ana", manager_id=manager.id)
    heavy = make_item(name="Heavy 15", fabrication_kgco2e=Decimal("400"), price_eur=Decimal("1400"))
    make_item(name="Heavy 15", fabrication_kgco2e=Decimal("400"), refurbished=True, refurbished_of_id=heavy.id,
              price_eur=Decimal("770"), sku="heavy-refurbished")
    make_item(name="Light 13", fabrication_kgco2e=Decimal("90"), price_eur=Decimal("900"))
    make_item(name="Screen 24", category="monitor", annual_kwh=Decimal("60"), price_eur=Decimal("200"))
    make_asset(user=agent, model_name="Old laptop")
    browser_login(agent)
    user = KeyboardUser(page)
    results_title = page.locator("#catalogue-results-title")

    page.goto("/catalogue?category=")  # every category (the catalogue opens on laptops)
    expect(results_title).to_have_text("4 articles")
    assert_accessible(page)
    user.skip_to_content()

    # Category: the arrow keys change a closed list; each change updates the results (htmx), focus stays.
    category = page.get_by_label("Catégorie")
    user.tab_to(category)
    while category.input_value() != "laptop":
        user.press("ArrowDown")
        assert category.input_value() != "", "the category list ended without “laptop”"
    expect(results_title).to_have_text("3 articles")
    expect(page).to_have_url(re.compile(r"category=laptop"))
    user.focus_survived_swap()
    expect(category).to_be_focused()

    # Maximum price typed, then Enter submits the filters (htmx again); the focus stays in the field.
    price_max = page.get_by_label("jusqu’à (€)")
    user.tab_to(price_max)
    user.type("1000")
    user.press("Enter")
    expect(results_title).to_have_text("2 articles")
    expect(page).to_have_url(re.compile(r"price_max=1000"))
    user.focus_survived_swap()
    expect(price_max).to_be_focused()
    assert_accessible(page)

    # On into the results: past the sort list and the Show button to the first item, then open it.
    light = page.locator("#catalogue-results").get_by_role("link", name="Maker Light 13")
    user.tab_to(light)
    user.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maker Light 13")
    assert_accessible(page)
    user.skip_to_content()  # lands on “Back to the catalogue”, then on to the request link
    user.tab_to(page.get_by_role("link", name="Demander cet article"))
    user.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demande : Maker Light 13")
    assert_accessible(page)

    # The request form: past the sober choices, quantity kept, the replaced device checked with Space (a radio
    # group: Tab enters it on its first choice), justification typed.
    user.tab_to(page.get_by_label("Quantité"))
    replaces = page.get_by_label(re.compile(r"^Old laptop \(T000001\)"))
    user.tab_to(replaces)
    user.press("Space")
    expect(replaces).to_be_checked()
    user.tab_to(page.get_by_label("Pourquoi en avez-vous besoin ?"))
    user.type("Mon portable actuel ne tient plus la charge.")
    user.tab_to(page.get_by_role("button", name="Envoyer ma demande à mon responsable"))
    user.press("Space")  # a button works with Space as with Enter

    expect(page.get_by_role("status").first).to_contain_text("Votre demande a été envoyée")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maker Light 13")
    expect(page.locator("main")).to_contain_text("en attente de validation")
    expect(page.locator("main")).to_contain_text("Old laptop")
    assert_accessible(page)
    user.skip_to_content()
    user.leaves_the_page()
    print(f"\nordering an item: {len(user.path)} Tab stops checked")


# ---------------------------------------------------------------------------------------------------------
# b. Join a campaign, tick a guide's action, see progress
# ---------------------------------------------------------------------------------------------------------


def test_join_a_campaign_and_tick_an_action_with_the_keyboard(page: Page, make_user, browser_login, campaign_today):
    agent = make_user(first_name="Ana")
    start = campaign_today.starts_at
    rows = [(agent.email, "mailbox", 8 * GB, 40_000, start - timedelta(days=2)),
            (agent.email, "mailbox", 6 * GB, 31_000, start + timedelta(days=2))]
    imports.import_storage_file(io.BytesIO(generic_csv(rows)), filename="mesures.csv")
    db.session.commit()
    browser_login(agent)
    user = KeyboardUser(page)

    # From the home page, through the main menu.
    page.goto("/")
    assert_accessible(page)
    menu = page.get_by_role("navigation", name="Menu principal")
    user.tab_to(menu.get_by_role("link", name="Campagnes de nettoyage"))
    user.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Campagnes de nettoyage")
    assert_accessible(page)
    user.skip_to_content()
    user.tab_to(page.get_by_role("link", name="Grand nettoyage de printemps"))
    user.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grand nettoyage de printemps")
    assert_accessible(page)

    # Join: htmx swaps the participation section, the button disappears; the focus goes to the news.
    user.skip_to_content()
    user.tab_to(page.get_by_role("button", name="Rejoindre la campagne"))
    user.press("Enter")
    participation = page.locator("#participation")
    expect(participation).to_contain_text("Vous participez à Grand nettoyage de printemps.")
    state = user.focus_survived_swap()
    assert "Vous participez à Grand nettoyage de printemps." in state["description"], state
    expect(page.locator("#live-status")).to_have_text("")  # read out once, by the focus, not twice
    assert_accessible(page)

    # Tick a guide's action with Space: the checklist is swapped, the focus stays on the box.
    onedrive = page.get_by_label("Vider la corbeille de OneDrive")
    user.tab_to(onedrive)
    user.press("Space")
    expect(page.locator("#checklist")).to_contain_text("1 action faite sur 12")
    user.focus_survived_swap()
    expect(onedrive).to_be_focused()
    expect(onedrive).to_be_checked()
    expect(page.locator("#live-status")).to_contain_text("1 action faite sur 12")

    # Saved at once: said, and no button to press (it is there without the script).
    expect(page.locator("#checklist .saved-state")).to_have_text("✓ Enregistré")
    expect(page.get_by_role("button", name="Enregistrer ma liste")).to_have_count(0)

    # On to my progress and out of the page: no trap in the checklist.
    user.leaves_the_page()
    expect(page.locator("#my-progress")).to_contain_text("Libéré depuis le début : 2 Go")
    assert_accessible(page)

    page.reload()
    expect(page.get_by_label("Vider la corbeille de OneDrive")).to_be_checked()
    expect(page.locator("#checklist")).to_contain_text("1 action faite sur 12")
    print(f"\njoining a campaign: {len(user.path)} Tab stops checked")


# ---------------------------------------------------------------------------------------------------------
# c. Find a collection point
# ---------------------------------------------------------------------------------------------------------


def test_find_a_collection_point_with_the_keyboard(page: Page, communes, make_user, make_site, browser_login,
                                                   monkeypatch):
    now = datetime(2026, 12, 2, 10, 0, tzinfo=PARIS)  # a Wednesday morning: most points open, not all
    monkeypatch.setattr("portal.locator.routes._now", lambda: now)
    exchange.import_points(exchange.packaged_rows())
    db.session.commit()
    agent = make_user(first_name="Léa", site_id=make_site(commune_insee="33063").id)
    open_count = len(locator_services.nearest_points(locator_services.active_points(), None, now=now, open_now=True))
    assert 0 < open_count < 28
    browser_login(agent)
    user = KeyboardUser(page)
    heading = page.locator("#locator-results-title")

    page.goto("/collection-points")
    expect(heading).to_have_text("28 points de collecte, les plus proches de votre lieu de travail d’abord")
    assert_accessible(page)
    user.skip_to_content()

    # Type "begles" in the search field: the results follow as one types, the focus stays in the field.
    query = page.get_by_label("Commune ou code postal")
    user.tab_to(query)
    user.type("begles")
    expect(heading).to_have_text("28 points de collecte, les plus proches de Bègles d’abord")
    user.focus_survived_swap()
    expect(query).to_be_focused()

    # "Open now" with Space.
    open_now = page.get_by_label("Ouvert maintenant")
    user.tab_to(open_now)
    user.press("Space")
    expect(heading).to_have_text(f"{open_count} points de collecte, les plus proches de Bègles d’abord")
    expect(page).to_have_url(re.compile(r"q=begles.*open=1"))
    user.focus_survived_swap()
    expect(open_now).to_be_focused()
    statuses = page.locator("ol.points .point-status").all_text_contents()
    assert statuses and all(s.startswith("Ouvert jusqu’à") for s in statuses)
    assert_accessible(page)

    # The nearest open point: Tab leaves the form for the list, Enter opens the point.
    first = page.locator("ol.points h3 a").first
    name = first.inner_text()
    user.tab_to(page.locator("ol.points").get_by_role("link", name=name, exact=True))
    user.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("main")).to_contain_text("Ouvert jusqu’à")
    assert_accessible(page)
    user.skip_to_content()
    user.tab_to(page.get_by_role("link", name="J’ai déposé un appareil ici"))
    user.tab_to(page.get_by_role("link", name=re.compile("Itinéraire sur OpenStreetMap")))
    user.leaves_the_page()

    # And back to the list with Shift+Tab all the way up to "All collection points".
    user.tab_to(page.get_by_role("link", name="Tous les points de collecte"), backwards=True)
    user.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Points de collecte")
    print(f"\nfinding a collection point: {len(user.path)} Tab stops checked")
