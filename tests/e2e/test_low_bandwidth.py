"""The home, catalogue and locator pages on a slow mobile connection, in Chromium against the real app.

Network profile (Chromium DevTools `Network.emulateNetworkConditions`): 400 kbit/s down and up
(50,000 bytes/s each way) and 400 ms of latency added to every request: a slow 3G link, or a busy one in a
rural town hall. Each page is loaded with an empty cache (a first visit), then again with the cache (the
stylesheet and scripts are then kept, as their URLs change with their content). It must paint its first
content within 3 s and show its title and its list; run with `pytest -s` to read the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import Page, expect

from portal.locator import exchange
from portal.models import db

KBIT = 1000 / 8  # bytes per second
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * KBIT, "uploadThroughput": 400 * KBIT}
FCP_BUDGET_MS = 3000
#: (path, what a person came for: a list below the page's title)
PAGES = (
    ("/", "main .home-panels"),
    ("/catalogue", "#catalogue-results ul.items"),
    ("/collection-points?q=begles", "#locator-results ol.points"),
)
COMPRESSED = ("gzip", "br", "zstd", "deflate")


@dataclass
class Load:
    """One page load as the network saw it."""

    path: str
    cache: str
    fcp_ms: float = 0.0
    document_ms: float = 0.0  # from the page's request to its last byte, as Chromium's network layer saw it
    requests: int = 0
    transferred: int = 0
    responses: dict[str, dict] = field(default_factory=dict)  # url → {type, encoding, cache_control}

    def __str__(self) -> str:
        return (f"{self.path:28s} {self.cache:11s}  FCP {self.fcp_ms:5.0f} ms  (HTML in {self.document_ms:4.0f} ms)"
                f"  {self.requests} requests  {self.transferred / 1024:5.1f} KB")


def load_throttled(page: Page, path: str, *, cold: bool) -> Load:
    """Load `path` through the throttled network; measure first contentful paint and bytes transferred."""
    load = Load(path=path, cache="empty cache" if cold else "with cache")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": cold})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    sizes: dict[str, int] = {}
    sent: dict[str, float] = {}
    document: dict[str, str] = {}

    def on_sent(event: dict) -> None:
        sent[event["requestId"]] = event["timestamp"]
        if event.get("type") == "Document":
            document["id"] = event["requestId"]

    def on_response(event: dict) -> None:
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        load.responses[event["response"]["url"]] = {
            "type": event["type"],
            "encoding": headers.get("content-encoding", ""),
            "cache_control": headers.get("cache-control", ""),
        }

    def on_finished(event: dict) -> None:
        sizes[event["requestId"]] = int(event["encodedDataLength"])
        if event["requestId"] == document.get("id"):
            load.document_ms = (event["timestamp"] - sent[event["requestId"]]) * 1000

    cdp.on("Network.requestWillBeSent", on_sent)
    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    try:
        page.goto(path, wait_until="load")
        load.fcp_ms = page.wait_for_function(
            "() => performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)[0]"
        ).json_value()
        page.wait_for_load_state("networkidle")
    finally:
        cdp.send("Network.emulateNetworkConditions",
                 {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        cdp.detach()
    load.requests = sum(1 for size in sizes.values() if size > 0)  # a file from the cache transfers 0 bytes
    load.transferred = sum(sizes.values())
    return load


def test_home_catalogue_and_locator_are_usable_at_400_kbits(page: Page, communes, catalogue, make_user, make_site,
                                                             browser_login):
    exchange.import_points(exchange.packaged_rows())
    db.session.commit()
    browser_login(make_user(first_name="Léa", site_id=make_site(commune_insee="33039").id))

    loads: list[Load] = []
    for path, main_list in PAGES:
        for cold in (True, False):
            load = load_throttled(page, path, cold=cold)
            loads.append(load)
            # What the person came for is there: the page's title on screen and its list.
            expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
            expect(page.locator(main_list)).to_be_visible()
            expect(page.locator(main_list).locator("> *").first).to_be_visible()  # a panel, an item, a point
    print("\nAt 400 kbit/s, 400 ms latency:\n" + "\n".join(str(load) for load in loads))

    for load in loads:
        # The throttling was in force: the page itself took the added latency at least.
        assert load.document_ms >= SLOW_3G["latency"], str(load)
        assert load.fcp_ms < FCP_BUDGET_MS, str(load)
        document = next(r for r in load.responses.values() if r["type"] == "Document")
        assert document["encoding"] in COMPRESSED, f"{load.path}: the page is sent uncompressed"
    for load in (load for load in loads if load.cache == "empty cache"):
        static = {url: r for url, r in load.responses.items() if "/static/" in url}
        assert static, f"{load.path}: no stylesheet or script?"
        for url, response in static.items():
            # Stylesheet and scripts compressed, and kept by the browser (as in production: same app, same headers).
            assert response["encoding"] in COMPRESSED, f"{url} is sent uncompressed"
            max_age = [int(part.split("=")[1]) for part in response["cache_control"].split(",")
                       if part.strip().startswith("max-age=")]
            assert max_age and max_age[0] >= 3600, f"{url}: Cache-Control {response['cache_control']!r}"
    for cold, warm in zip(loads[::2], loads[1::2], strict=True):
        assert warm.transferred < cold.transferred, f"{warm.path}: the cache saved nothing"
