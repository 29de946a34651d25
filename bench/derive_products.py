#!/usr/bin/env python3
"""Derive the catalogue seed (products.csv) from Boavizta's manufacturer PCF sheets.

Usage (from the project root):

    python bench/derive_products.py /path/to/boavizta-data-us.csv \
        > portal/catalogue/data/products.csv

Standard library only, no network, no randomness: the same input gives the same
output byte for byte. A summary is printed on stderr.

Input: Boavizta environmental-footprint-data, ``boavizta-data-us.csv`` (2023-02-23),
Open Database License 1.0 / Database Contents License 1.0. The output is a derived
database and is therefore itself under the ODbL 1.0 (see README.md in this folder).

Selection rule (details in the constants below):

1. keep rows whose ``gwp_total`` is a number > 0;
2. map Boavizta's subcategory to our category (laptop, desktop, monitor, smartphone,
   tablet, thin_client, printer), with a few documented corrections (Dell mobile
   Precision/Vostro sheets filed under "Desktop", Surface Duo filed under "Tablet"...);
3. keep office/business product lines only (allow-list per category and manufacturer)
   and drop gaming, rugged, Chromebook, education, point-of-sale and large-format
   models;
4. collapse near-duplicates (storage / CPU / stand / palm-rest variants of the same
   model) to one row, preferring the most recent report, then the most recently
   added sheet, then the base configuration (lowest gwp_total);
5. keep at most FAMILY_CAP rows per model family (e.g. "OptiPlex 7000" Micro/SFF/
   Tower, "iPhone 14"/"iPhone 14 Pro"), most recent first;
6. per category, fill TARGETS by weighted round-robin over manufacturers
   (MANUFACTURER_WEIGHTS) and, within a manufacturer, over product lines
   (SERIES_WEIGHTS), each queue ordered most recent report first.

Values are copied from the source; numbers are only normalised (``4.0`` -> ``4``,
float artefacts such as ``0.21899999999999997`` -> ``0.219``). Empty ratios,
lifetimes and yearly kWh stay empty: the application applies the category fallback
and marks the figure as estimated. ``report_date`` is rewritten in ISO 8601 at the
precision of the source (``2022``, ``2022-06`` or ``2022-06-06``). ``price_eur`` is
a DEMO public-sector price, not a real quote.
"""

import csv
import hashlib
import re
import sys
import unicodedata

HEADER = [
    "sku", "category", "manufacturer", "name", "gwp_total_kgco2e", "gwp_use_ratio",
    "gwp_manufacturing_ratio", "gwp_transport_ratio", "gwp_eol_ratio", "gwp_error_ratio",
    "yearly_kwh", "lifetime_years", "use_location", "report_date", "source_url", "price_eur",
]

CATEGORY_ORDER = ["laptop", "desktop", "monitor", "smartphone", "tablet", "thin_client", "printer"]

TARGETS = {
    "laptop": 45, "desktop": 25, "monitor": 30, "smartphone": 20,
    "tablet": 12, "thin_client": 6, "printer": 8,
}

SUBCATEGORY_MAP = {
    "laptop": "laptop",
    "desktop": "desktop",
    "monitor": "monitor",
    "smartphone": "smartphone",
    "tablet": "tablet",
    "thin client": "thin_client",
    "printer": "printer",
}

# Explicit corrections of the source classification: (manufacturer, name) -> category,
# or None to drop the row.
NAME_OVERRIDES = {
    ("Microsoft", "Surface Duo"): "smartphone",      # a phone, filed as Tablet
    ("Microsoft", "Surface Duo 2"): "smartphone",
    ("Lenovo", "Smart Tab M8"): "tablet",            # filed as Laptop
    ("Google", "Pixel Watch"): None,                 # a watch, filed as Smartphone
    ("HP", "Engage Go 10 Mobile System"): None,      # point-of-sale tablet
    ("Asus", "Notebook C423"): None,                 # a Chromebook
    ("Dell", "Vostro 3910"): "desktop",              # tower without a form-factor word
    ("Lexmark", "CX924dxe"): None,                   # A3 production MFP (2017), not an office model
}

# Dell files mobile workstations and some laptops (Precision 3570, Vostro 5620...)
# under "Desktop": a Dell "Desktop" row without a desktop form-factor word is a laptop.
DESKTOP_FORM_FACTOR = re.compile(
    r"tower|small form factor|\bsff\b|micro form factor|\btiny\b|\bnano\b|all-in-one|\baio\b"
    r"|compact|\bultra\b|\brack\b|imac|mac mini|mac studio|mini pc", re.I)

# Dropped in every category.
EXCLUDE = re.compile(
    r"chromebook|rugged|fortis|\bEE\b|gaming|legion|alienware|\bomen\b|victus|predator|\brog\b"
    r"|engage|\biot\b|\b11e\b|surface hub|thinksmart|pro display xdr|zhan",
    re.I)

# Business/office lines kept, per category (matched on the source name).
ALLOW = {
    "laptop": re.compile(
        r"^(latitude|precision|vostro|thinkpad|thinkbook|elitebook|elite x2|probook|zbook"
        r"|\d{3} g\d+ notebook|surface (laptop|book)|(\d+-inch )?macbook)", re.I),
    "desktop": re.compile(
        r"^(optiplex|thinkcentre|elite tower|precision 3\d{3} (tower|small|compact)|vostro 3910"
        r"|\d+(\.\d+)?-inch imac|mac mini|mac studio|mini pc)", re.I),
    "monitor": re.compile(
        r"^([PUEC]\d{4}[A-Z]* monitor"          # Dell P/U/E/C business series
        r"|[EPZV]\d{2}[a-z]* "                   # HP E/P/Z/V business series
        r"|thinkvision |[TPE]\d{2,4}[a-z]*-\d\d" # Lenovo ThinkVision
        r"|apple studio display)", re.I),
    "smartphone": re.compile(r"^(iphone|pixel|galaxy|fairphone|surface duo)", re.I),
    "tablet": re.compile(r"^(ipad|surface (go|pro)|galaxy tab|pixel slate|smart tab)", re.I),
    "thin_client": re.compile(r"^wyse", re.I),
    "printer": re.compile(r".", re.I),
}

# Largest monitor kept (inches, from the source screen_size when given).
MAX_MONITOR_INCHES = 34.5

# Weighted round-robin over manufacturers, in this order (weight 0 or absent = dropped).
MANUFACTURER_WEIGHTS = {
    "laptop": [("Dell", 3), ("HP", 3), ("Lenovo", 3), ("Apple", 1), ("Microsoft", 1)],
    "desktop": [("Dell", 3), ("Lenovo", 3), ("HP", 1), ("Apple", 1), ("Asus", 1)],
    "monitor": [("Dell", 3), ("HP", 3), ("Lenovo", 2), ("Apple", 1)],
    "smartphone": [("Fairphone", 1), ("Samsung", 1), ("Apple", 1), ("Google", 1)],
    "tablet": [("Apple", 1), ("Microsoft", 1), ("Samsung", 1), ("Lenovo", 1), ("Google", 1)],
    "thin_client": [("Dell", 1), ("HP", 1)],
    "printer": [("Lexmark", 1), ("HP", 1)],
}

# Weight of a product line inside a manufacturer's queue (default 1).
SERIES_WEIGHTS = {
    "latitude": 3, "thinkpad": 3, "elitebook": 2, "probook": 2,
    "optiplex": 3, "thinkcentre": 3,
}

FAMILY_CAP = {"laptop": 1, "monitor": 1}   # default 2
DEFAULT_FAMILY_CAP = 2

# Demo price range (EUR incl. VAT) per category.
PRICE_RANGE = {
    "laptop": (700, 1800), "desktop": (600, 1400), "monitor": (150, 500),
    "smartphone": (250, 900), "tablet": (300, 1000), "thin_client": (300, 500),
    "printer": (200, 900),
}

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


# --------------------------------------------------------------------------- helpers

def parse_float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def norm_number(value):
    """'4.0' -> '4', '0.21899999999999997' -> '0.219', '' -> ''."""
    value = (value or "").strip()
    x = parse_float(value)
    if x is None:
        return ""
    x = round(x, 6)
    if x == int(x):
        return str(int(x))
    return repr(x)


def parse_date(value):
    """Return (year, month, day) with 0 for unknown parts; accepts the source's formats:
    'December 2018', 'Feb 2021', 'September 7 2022', '2020', '2022-2-6', '26/07/2019',
    '01-11-2020' (added_date, day first), '2022-04-07'."""
    value = (value or "").strip()
    if not value:
        return (0, 0, 0)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if m:
        return (int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", value)
    if m:
        return (int(m[3]), int(m[2]), int(m[1]))
    m = re.fullmatch(r"(\d{4})", value)
    if m:
        return (int(m[1]), 0, 0)
    m = re.fullmatch(r"([A-Za-z]+)\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})", value)
    if m and m[1][:3].lower() in MONTHS:
        return (int(m[3]), MONTHS[m[1][:3].lower()], int(m[2] or 0))
    return (0, 0, 0)


def iso_date(value):
    y, m, d = parse_date(value)
    if not y:
        return ""
    if not m:
        return "%04d" % y
    if not d:
        return "%04d-%02d" % (y, m)
    return "%04d-%02d-%02d" % (y, m, d)


def slugify(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace("+", " plus ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def clean_name(name):
    """Display name: whitespace collapsed, alternative names joined by ' / '."""
    name = re.sub(r"\s+", " ", name).strip()
    name = re.sub(r"\.(?=\s*[A-Za-z])", " / ", name)   # 'T490.ThinkPad P43s'
    name = re.sub(r"\s*/\s*", " / ", name)
    name = name.replace(" fwsdfFFactor", "")            # parser junk in one Dell row
    return name


# Parenthesised text kept in the variant key (it names a generation, not a config).
_KEEP_PAREN = re.compile(r"generation|\bgen\b|^m\d \d{4}$|5g", re.I)


def variant_key(manufacturer, name):
    """Key under which storage/CPU/stand variants of one model collapse."""
    s = re.split(r"/|\.(?=\s*[A-Za-z])", name)[0]      # first alternative name
    s = re.sub(r"\s+", " ", s).lower()
    s = re.sub(r"\(([^)]*)\)", lambda m: m.group(0) if _KEEP_PAREN.search(m[1]) else " ", s)
    s = re.sub(r"\b\d+(\.\d+)?\s?(gb|tb)\b( memory| storage)?", " ", s)
    s = re.sub(r"\s-\s(19|20)\d\d\b", " ", s)
    s = re.sub(r"\b(with|without stand|withstand|nostand|with stand|wi-fi \+ cellular"
               r"|alcantara® palm rest|metal palm rest|and)\b", " ", s)
    s = s.replace("alcantara®", " ")
    return manufacturer.lower() + "|" + " ".join(re.findall(r"[a-z0-9+.-]+", s))


def model_tokens(category, name):
    """Lower-case tokens of the first alternative name, without sizes and brand prefixes."""
    s = re.split(r"/|\.(?=\s*[A-Za-z])", name)[0].lower()
    s = re.sub(r"\b\d+(\.\d+)?[- ]?inch\b|\b\d+(\.\d+)?”", " ", s)
    s = re.sub(r"\(|\)", " ", s)
    s = re.sub(r"^\s*(thinkvision|lenovo|by hp)\s+", " ", s)
    s = s.replace("+", " plus")
    tokens = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", s)
    if category in ("monitor", "printer") and tokens:
        m = re.fullmatch(r"([a-z]+)(\d{2,4})[a-z]*(?:-\d+)?", tokens[0])
        if m:
            return [m[1], m[1] + m[2]]
    return tokens


def family_key(manufacturer, category, name):
    """Model family: tokens up to the first one containing a digit (at most 3)."""
    tokens = model_tokens(category, name)
    if category in ("monitor", "printer") and len(tokens) == 2 and tokens[1].startswith(tokens[0]):
        return manufacturer.lower() + "|" + tokens[1]
    out = []
    for tok in tokens[:3]:
        out.append(tok)
        if re.search(r"\d", tok):
            break
    return manufacturer.lower() + "|" + " ".join(out)


def series_key(manufacturer, category, name):
    tokens = model_tokens(category, name)
    if not tokens:
        return ""
    if re.fullmatch(r"\d+", tokens[0]):
        return "value"        # HP 250/255/470 G8/G9
    if category in ("monitor", "printer"):
        m = re.match(r"[a-z]+", tokens[0])
        return m.group(0) if m else tokens[0]
    return tokens[0]


def sort_key(row):
    """Most recent report first, then most recently added sheet, then the base
    configuration (lowest gwp_total), then name."""
    ry, rm, rd = parse_date(row["report_date"])
    ay, am, ad = parse_date(row["added_date"])
    return (-ry, -rm, -rd, -ay, -am, -ad, float(row["gwp_total"]), row["name"])


def interleave(queues):
    """Weighted round-robin: queues is a list of (weight, list); each round takes up to
    `weight` items from each queue in turn."""
    queues = [(w, list(q)) for w, q in queues if w > 0 and q]
    out = []
    while any(q for _, q in queues):
        for w, q in queues:
            out.extend(q[:w])
            del q[:w]
    return out


def categorise(row):
    key = (row["manufacturer"], row["name"].strip())
    if key in NAME_OVERRIDES:
        return NAME_OVERRIDES[key]
    cat = SUBCATEGORY_MAP.get(row["subcategory"].strip().lower())
    if cat == "desktop" and row["manufacturer"] == "Dell" and not DESKTOP_FORM_FACTOR.search(row["name"]):
        return "laptop"
    return cat


def eligible(row, cat):
    name = row["name"].strip()
    if EXCLUDE.search(name):
        return False
    if not ALLOW[cat].search(name):
        return False
    if cat == "monitor":
        size = parse_float(row["screen_size"])
        if size is not None and size > MAX_MONITOR_INCHES:
            return False
    return True


def demo_price(category, sku, gwp_rank):
    """Deterministic DEMO price: 60 % position of the product's gwp_total within its
    category (bigger/more powerful devices cost more), 40 % a SHA-256 hash of the sku;
    rounded to 10 EUR inside the category's range."""
    lo, hi = PRICE_RANGE[category]
    h = int.from_bytes(hashlib.sha256(sku.encode("utf-8")).digest()[:8], "big") / 2.0 ** 64
    frac = 0.6 * gwp_rank + 0.4 * h
    return lo + int(round(frac * (hi - lo) / 10.0)) * 10


def make_sku(manufacturer, name):
    s = re.split(r"/|\.(?=\s*[A-Za-z])", name)[0]
    if s.lower().startswith(manufacturer.lower() + " "):    # 'Apple Studio Display', 'Fairphone 4'
        s = s[len(manufacturer) + 1:]
    s = re.sub(r"\([^)]*(cpu|gpu|port)[^)]*\)", " ", s, flags=re.I)
    s = re.sub(r"\b(with|notebook pc|mobile workstation pc|monitor|display|desktop|thin client"
               r"|form factor|laptop pc|inch)\b", " ", s, flags=re.I)
    s = re.sub(r"\s-\s(19|20)\d\d\b", " ", s)
    slug = slugify(manufacturer) + "-" + slugify(s)
    return slug[:48].rstrip("-")


# --------------------------------------------------------------------------- main

def select(rows):
    # 1-3: filter and categorise
    candidates = {c: [] for c in CATEGORY_ORDER}
    for row in rows:
        gwp = parse_float(row.get("gwp_total"))
        if gwp is None or gwp <= 0:
            continue
        cat = categorise(row)
        if cat is None or not eligible(row, cat):
            continue
        candidates[cat].append(row)

    selected = {}
    for cat in CATEGORY_ORDER:
        rows_c = sorted(candidates[cat], key=sort_key)
        # 4: near-duplicates
        seen, deduped = set(), []
        for row in rows_c:
            k = variant_key(row["manufacturer"], row["name"])
            if k not in seen:
                seen.add(k)
                deduped.append(row)
        # 5: family cap
        cap = FAMILY_CAP.get(cat, DEFAULT_FAMILY_CAP)
        counts, capped = {}, []
        for row in deduped:
            k = family_key(row["manufacturer"], cat, row["name"])
            if counts.get(k, 0) < cap:
                counts[k] = counts.get(k, 0) + 1
                capped.append(row)
        # 6: weighted round-robin over manufacturers, then over product lines
        per_manufacturer = []
        for manufacturer, weight in MANUFACTURER_WEIGHTS[cat]:
            mrows = [r for r in capped if r["manufacturer"] == manufacturer]
            by_series = {}
            for r in mrows:
                by_series.setdefault(series_key(manufacturer, cat, r["name"]), []).append(r)
            series = sorted(by_series, key=lambda s: (-SERIES_WEIGHTS.get(s, 1), s))
            queue = interleave([(SERIES_WEIGHTS.get(s, 1), by_series[s]) for s in series])
            per_manufacturer.append((weight, queue))
        selected[cat] = interleave(per_manufacturer)[:TARGETS[cat]]
    return selected


def build_rows(selected):
    out, skus = [], set()
    for cat in CATEGORY_ORDER:
        rows_c = sorted(selected[cat], key=lambda r: (r["manufacturer"], clean_name(r["name"])))
        recs = []
        for r in rows_c:
            sku = make_sku(r["manufacturer"], clean_name(r["name"]))
            base, n = sku, 2
            while sku in skus:
                sku = "%s-%d" % (base, n)
                n += 1
            skus.add(sku)
            recs.append({
                "sku": sku,
                "category": cat,
                "manufacturer": r["manufacturer"].strip(),
                "name": clean_name(r["name"]),
                "gwp_total_kgco2e": norm_number(r["gwp_total"]),
                "gwp_use_ratio": norm_number(r["gwp_use_ratio"]),
                "gwp_manufacturing_ratio": norm_number(r["gwp_manufacturing_ratio"]),
                "gwp_transport_ratio": norm_number(r["gwp_transport_ratio"]),
                "gwp_eol_ratio": norm_number(r["gwp_eol_ratio"]),
                "gwp_error_ratio": norm_number(r["gwp_error_ratio"]),
                "yearly_kwh": norm_number(r["yearly_tec"]),
                "lifetime_years": norm_number(r["lifetime"]),
                "use_location": r["use_location"].strip(),
                "report_date": iso_date(r["report_date"]),
                "source_url": r["sources"].strip(),
                "price_eur": "",
            })
        # demo price: rank of gwp_total within the category (ties broken by sku)
        order = sorted(recs, key=lambda x: (float(x["gwp_total_kgco2e"]), x["sku"]))
        n = len(order)
        for i, rec in enumerate(order):
            rank = i / (n - 1) if n > 1 else 0.5
            rec["price_eur"] = str(demo_price(cat, rec["sku"], rank))
        out.extend(recs)
    return out


def summary(records, stream):
    print("products.csv: %d rows" % len(records), file=stream)
    for cat in CATEGORY_ORDER:
        recs = [r for r in records if r["category"] == cat]
        if not recs:
            print("  %-12s 0 (none in source)" % cat, file=stream)
            continue
        makers = {}
        for r in recs:
            makers[r["manufacturer"]] = makers.get(r["manufacturer"], 0) + 1
        print("  %-12s %3d  (%s)" % (cat, len(recs), ", ".join(
            "%s %d" % kv for kv in sorted(makers.items()))), file=stream)
    for col, label in [("gwp_use_ratio", "use ratio"), ("lifetime_years", "lifetime"),
                       ("yearly_kwh", "yearly kWh"),
                       ("gwp_manufacturing_ratio", "manufacturing ratio")]:
        missing = [r for r in records if not r[col]]
        by_cat = {}
        for r in missing:
            by_cat[r["category"]] = by_cat.get(r["category"], 0) + 1
        print("  missing %-20s %3d  %s" % (label + ":", len(missing), ", ".join(
            "%s %d" % (c, by_cat[c]) for c in CATEGORY_ORDER if c in by_cat)), file=stream)


def main(argv):
    if len(argv) != 2:
        print("usage: derive_products.py /path/to/boavizta-data-us.csv > products.csv",
              file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    records = build_rows(select(rows))
    sys.stdout.reconfigure(encoding="utf-8", newline="")
    writer = csv.DictWriter(sys.stdout, fieldnames=HEADER, lineterminator="\n",
                            quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    writer.writerows(records)
    summary(records, sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
