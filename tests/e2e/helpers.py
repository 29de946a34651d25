"""What a person notices, measured: accessibility (axe-core) and page sobriety (EcoIndex)."""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_axe = Axe()

# A 1×1 PNG, padded to the size of a typical map tile (~15 KB), so that the map's weight is realistic offline.
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
TILE_SIZE = 15 * 1024


def serve_tiles(page: Page, app) -> list[str]:  # noqa: ANN001 - the Flask app
    """Answer the tile server's requests with a local image (no internet here); return the URLs asked."""
    asked: list[str] = []
    host = re.escape(app.config["PORTAL_TILE_URL"].split("/{z}")[0].replace("{s}.", ""))

    def fulfil(route) -> None:  # noqa: ANN001 - Playwright's Route
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE + b"\0" * (TILE_SIZE - len(TILE)))

    page.route(re.compile(host + r"/\d+/\d+/\d+\.png"), fulfil)
    return asked


def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (rule id and first target)."""
    result = _axe.run(page)
    return [
        f"{v['id']}: {v['help']} ({v['nodes'][0]['target'] if v['nodes'] else ''})"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation."""
    violations = serious_accessibility_violations(page)
    assert violations == [], f"{page.url}: {violations}"


@dataclass(frozen=True)
class EcoIndex:
    """EcoIndex of one page load: inputs and result."""

    url: str
    dom_nodes: int
    requests: int
    size_kb: float
    score: float
    grade: str

    def __str__(self) -> str:
        return (
            f"EcoIndex {self.grade} ({self.score:.0f}) – {self.dom_nodes} nodes, {self.requests} requests, "
            f"{self.size_kb:.1f} KB – {self.url}"
        )


def _compute(nodes: int, size_kb: float, requests: int) -> tuple[float, str]:
    from ecoindex.compute import compute_ecoindex

    result = asyncio.run(compute_ecoindex(nodes=nodes, size=size_kb, requests=requests))
    return float(result.score), str(getattr(result.grade, "value", result.grade))


def measure_ecoindex(page: Page, path: str) -> EcoIndex:
    """Load `path` in a fresh navigation and compute its EcoIndex from DOM nodes, requests and bytes.

    Bytes are what crossed the network (Chromium's encodedDataLength, headers included): Playwright's
    request sizes report 0 for compressed responses sent in chunks, which would flatter the page.
    """
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})  # a first visit: nothing from the cache
    transferred: dict[str, int] = {}
    cdp.on("Network.loadingFinished", lambda event: transferred.__setitem__(event["requestId"],
                                                                              int(event["encodedDataLength"])))
    try:
        page.goto(path, wait_until="networkidle")
    finally:
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        cdp.detach()
    nodes = page.evaluate("document.getElementsByTagName('*').length - document.querySelectorAll('svg *').length")
    size_kb = sum(transferred.values()) / 1024
    # compute_ecoindex is async: run it outside Playwright's sync loop.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        score, grade = pool.submit(_compute, nodes, size_kb, len(transferred)).result()
    return EcoIndex(url=page.url, dom_nodes=nodes, requests=len(transferred), size_kb=size_kb, score=score,
                    grade=grade)


# The elements that stick out of the page's width, the widest first: the page itself must not scroll sideways
# (content inside a scrolling region, such as a wide table in its own scroll container, is allowed).
_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) { continue; }
    let clipped = false;
    for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      if (style.overflowX !== 'visible' && parent.getBoundingClientRect().right <= width + 1) { clipped = true; break; }
    }
    if (!clipped) {
      const classes = typeof element.className === 'string' ? element.className.trim().split(/\\s+/) : [];
      const name = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
                   + classes.filter(Boolean).map((c) => '.' + c).join('');
      out.push([Math.round(box.right - width), name]);
    }
  }
  out.sort((a, b) => b[0] - a[0]);
  return {scroll: document.documentElement.scrollWidth - width,
          elements: out.slice(0, 5).map(([px, name]) => `${name} (${px} px)`)};
}"""


@contextmanager
def viewport_width(page: Page, width: int) -> Iterator[None]:
    """The page laid out `width` CSS pixels wide for the block (the page's resize handlers have run), then
    put back as it was (the next measure navigates afresh, so nothing needs to settle after that)."""
    before = page.viewport_size
    page.set_viewport_size({"width": width, "height": 800})
    try:
        page.wait_for_timeout(150)  # layout, and portal.js's resize handler (debounced by 50 ms)
        yield
    finally:
        if before:
            page.set_viewport_size(before)


def reflow_problems(page: Page) -> str | None:
    """WCAG 1.4.10 (reflow): the page, at its current width, must not need horizontal scrolling (content in
    its own scrolling container, such as a wide table, may scroll). Returns what sticks out, or None."""
    result = page.evaluate(_OVERFLOWING)
    if result["scroll"] <= 0:
        return None
    return f"scrolls {result['scroll']} px sideways: {', '.join(result['elements'])}"


# A figure box whose text sticks out of it (a large figure in a narrow column): the figure and its unit are kept
# together by a no-break space, so the box must be wide enough for them.
_FIGURES_STICKING_OUT = """() => {
  const out = [];
  for (const box of document.querySelectorAll('dl.figures > div')) {
    const edge = box.getBoundingClientRect().right;
    for (const part of box.querySelectorAll('dt, dd')) {
      if (part.scrollWidth > part.clientWidth + 1 || part.getBoundingClientRect().right > edge + 1) {
        out.push(part.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40));
      }
    }
  }
  return out;
}"""


def figures_sticking_out(page: Page) -> list[str]:
    """The texts of figure boxes (`dl.figures`) wider than their box at the page's current width."""
    return page.evaluate(_FIGURES_STICKING_OUT)


# Texts of a chart drawn beyond its SVG's box: cut off, since an SVG clips what lies outside it.
_CHART_TEXTS_CUT = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg')) {
    const frame = svg.getBoundingClientRect();
    if (frame.width === 0) { continue; }
    for (const text of svg.querySelectorAll('text')) {
      const box = text.getBoundingClientRect();
      if (box.width > 0 && (box.left < frame.left - 1 || box.right > frame.right + 1)) {
        out.push(Math.round(box.left - frame.left) + '…' + Math.round(box.right - frame.left) + ' of '
                 + Math.round(frame.width) + ' px: ' + text.textContent.trim().slice(0, 40));
      }
    }
  }
  return out;
}"""


def chart_texts_cut(page: Page) -> list[str]:
    """The texts of the page's SVG charts that reach beyond their chart's box (the reader sees them cut off)."""
    return page.evaluate(_CHART_TEXTS_CUT)


# Table cells squeezed into a narrow column: under 8rem wide with their text on more than six lines.
_SQUEEZED_CELLS = """() => {
  const out = [];
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
  for (const cell of document.querySelectorAll('td, th')) {
    const line = parseFloat(getComputedStyle(cell).lineHeight) || 1.5 * rem;
    const range = document.createRange();
    range.selectNodeContents(cell);
    const width = cell.getBoundingClientRect().width;
    if (width > 0 && width < 8 * rem && range.getBoundingClientRect().height > 6.5 * line) {
      out.push(Math.round(width) + ' px: ' + cell.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40));
    }
  }
  return out;
}"""


# French typography: « : ; ! ? » take a (narrow) no-break space before them. Texts in code, addresses, symbols
# hidden from assistive technologies, another language (lang="en") and web addresses are left out.
_FRENCH_PUNCTUATION = """() => {
  if (!document.documentElement.lang.startsWith('fr')) { return []; }
  const out = [];
  const wrong = /(^|[^\\u202f\\u00a0\\d])[;:!?](?=\\s|$)/g;
  // `before`: the character just before `text` (in the element before it), read only as the mark's neighbour.
  const check = (text, where, before = '') => {
    const cleaned = before + text.replace(/\\bhttps?:\\/\\/\\S+/g, '');
    for (const match of cleaned.matchAll(wrong)) {
      if (match.index + match[1].length >= before.length) {
        out.push(where + ': ' + cleaned.trim().replace(/\\s+/g, ' ').slice(0, 70));
        return;
      }
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    const skipped = 'code, pre, kbd, samp, script, style, textarea, address, [aria-hidden="true"], '
                    + '[lang]:not([lang^="fr"])';
    if (!parent || parent.closest(skipped)) {
      continue;
    }
    // A mark may begin a text node, right after an element (a link, then « ; »): read it with its neighbour.
    const previous = node.previousSibling ? (node.previousSibling.textContent || '') : '';
    check(node.textContent, parent.tagName.toLowerCase(), previous.slice(-1));
  }
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder], img[alt]')) {
    if (element.closest('[lang]:not([lang^="fr"])')) { continue; }
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = element.getAttribute(name);
      if (value) { check(value, name); }
    }
  }
  return out;
}"""


def french_punctuation_problems(page: Page) -> list[str]:
    """On a French page, « : ; ! ? » without the no-break space French puts before them."""
    return page.evaluate(_FRENCH_PUNCTUATION)


def squeezed_cells(page: Page) -> list[str]:
    """Table cells whose column is so narrow that their text runs over more than six lines (a phone's table)."""
    return page.evaluate(_SQUEEZED_CELLS)


def log_in(page: Page, email: str, password: str) -> None:
    """Sign in through the real form and wait for the page after it."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form.stacked button[type=submit]").click()
    expect(page.locator("h1")).not_to_have_text("Connexion au portail du numérique responsable")
# Targets smaller than 24 × 24 CSS px (WCAG 2.2 2.5.8), with the criterion's exceptions: a link inside a sentence
# (its size set by the line of text), and an undersized target whose 24 px circle, centred on it, meets no other
# target nor the circle of another undersized one (spacing).
_SMALL_TARGETS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], '
                   + '[tabindex]:not([tabindex="-1"])';
  const visible = (element) => {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) { return false; }
    return getComputedStyle(element).visibility !== 'hidden' && !element.closest('.visually-hidden, .skip');
  };
  const words = (element) => element.textContent.replace(/\\s+/g, ' ').trim();
  const inSentence = (element) => {
    if (element.tagName !== 'A' || getComputedStyle(element).display !== 'inline') { return false; }
    let block = element.parentElement;
    while (block && getComputedStyle(block).display === 'inline') { block = block.parentElement; }
    return Boolean(block) && words(block).length > words(element).length;
  };
  const targets = [...document.querySelectorAll(selector)].filter(visible);
  const boxes = targets.map((element) => element.getBoundingClientRect());
  const small = targets.map((element, i) => (boxes[i].width < 23.5 || boxes[i].height < 23.5)
                                            && !inSentence(element));
  const centre = (box) => [box.left + box.width / 2, box.top + box.height / 2];
  const toBox = ([x, y], box) => Math.hypot(Math.max(box.left - x, 0, x - box.right),
                                            Math.max(box.top - y, 0, y - box.bottom));
  const out = [];
  targets.forEach((element, i) => {
    if (!small[i]) { return; }
    const c = centre(boxes[i]);
    const crowded = targets.some((other, j) => {
      if (j === i || element.contains(other) || other.contains(element)) { return false; }
      const d = centre(boxes[j]);
      return toBox(c, boxes[j]) < 12 || (small[j] && Math.hypot(c[0] - d[0], c[1] - d[1]) < 24);
    });
    if (crowded) {
      const name = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
                   + (element.tagName === 'INPUT' ? '[' + element.type + ']' : '');
      const text = (element.textContent || element.value || '').trim().slice(0, 30);
      out.push(`${name} "${text}" ${Math.round(boxes[i].width)}×${Math.round(boxes[i].height)}`);
    }
  });
  return out;
}"""


def small_tap_targets(page: Page) -> list[str]:
    """Targets under 24 × 24 CSS px too close to another target (WCAG 2.2 2.5.8), as the page is laid out now."""
    return page.evaluate(_SMALL_TARGETS)
