#!/usr/bin/env python3
"""Derive the catalogue's main specs (specs.csv) for the models of products.csv.

Usage (from the project root):

    .venv/bin/python -m bench.derive_specs /path/to/boavizta-data-us.csv portal/catalogue/data/products.csv \
        > portal/catalogue/data/specs.csv

No network, no randomness: the same input gives the same output byte for byte (the specs each category shows
are the portal's, `portal.catalogue.specs.CATEGORY_SPECS`).

Each value comes from the manufacturer's sheet as Boavizta records it (``screen_size``, ``weight``,
``hard_drive``, ``memory`` of the row with the same sheet URL), or from the model name the manufacturer gives
("14 inch", "with 128GB"); otherwise it is a plausible DEMO value, chosen by the rules below (product line,
screen size) and listed in ``demo_fields`` so the portal marks it. Processor classes are always demo values
(entry, mainstream, performance, workstation: the product line's position in its range). The output is derived
from the ODbL database, so it is under the ODbL 1.0 too (see README.md in that folder).
"""

import csv
import re
import sys

from portal.catalogue.specs import CATEGORY_SPECS

HEADER = ["sku", "screen_inches", "memory_gb", "storage_gb", "processor_class", "weight_kg", "demo_fields"]

#: Processor class by product line (first match in the name wins).
PROCESSOR_CLASSES = (
    (r"Precision|ZBook|MacBook Pro with 64GB", "workstation"),
    (
        r"Latitude [79]\d|EliteBook 8|Elite x2|X390|T49\ds|MacBook Pro|Surface Book|Surface Laptop Studio|"
        r"ThinkBook Plus|Elite Tower|M90|XE4",
        "performance",
    ),
    (
        r"Latitude 3|HP 25\d|ThinkPad E|Surface Laptop (Go|SE)|Vostro|OptiPlex 3000|M70|M75|Mac mini|Asus|"
        r"Wyse 30",
        "entry",
    ),
)

#: Screens the sheets do not give (demo values: the model's usual diagonal).
DEMO_SCREENS = {
    "apple-macbook-air-m2-2022-256gb": "13.6",
    "lenovo-thinkpad-e15": "15.6",
    "lenovo-thinkpad-l13": "13.3",
    "lenovo-thinkpad-t490": "14",
    "lenovo-thinkpad-t490s": "14",
    "lenovo-thinkpad-t495": "14",
    "lenovo-thinkpad-t495s": "14",
    "lenovo-thinkpad-t590": "15.6",
    "microsoft-surface-laptop-go-2": "12.4",
    "microsoft-surface-laptop-se": "11.6",
    "microsoft-surface-laptop-studio": "14.4",
    "apple-studio-tilt-adjustable-stand": "27",
    "lenovo-thinkvision-l24q-20": "23.8",
    "apple-iphone-13-mini-128gb": "5.4",
    "apple-iphone-13-128gb": "6.1",
    "apple-iphone-14-pro-128gb": "6.1",
    "apple-iphone-14-128gb": "6.1",
    "apple-iphone-se-3rd-generation-64gb": "4.7",
    "apple-iphone-se-gen-2-64gb": "4.7",
    "google-pixel-4a-5g": "6.2",
    "google-pixel-5a-5g": "6.3",
    "google-pixel-6": "6.4",
    "google-pixel-6-pro": "6.7",
    "google-pixel-6a": "6.1",
    "google-pixel-7": "6.3",
    "google-pixel-7-pro": "6.7",
    "apple-ipad-10th-generation-64gb": "10.9",
    "apple-ipad-air-5th-generation-64gb": "10.9",
    "google-pixel-slate": "12.3",
    "microsoft-surface-go-2": "10.5",
    "microsoft-surface-go-3": "10.5",
    "microsoft-surface-pro-7": "12.3",
}

#: Memory and storage by processor class (demo values), GB.
DEMO_MEMORY = {"entry": 8, "mainstream": 16, "performance": 16, "workstation": 32}
DEMO_STORAGE = {"entry": 256, "mainstream": 256, "performance": 512, "workstation": 1024}
THIN_CLIENT_MEMORY = {"entry": 4, "mainstream": 8}
THIN_CLIENT_STORAGE = {"entry": 16, "mainstream": 32}


def number(text: str) -> str:
    """`14.0` → `14`, `1.203` → `1.2` (one decimal is what the pages show), empty or 0 → empty."""
    try:
        value = round(float(text), 1)
    except ValueError:
        return ""
    if value <= 0:
        return ""
    return str(int(value)) if value == int(value) else str(value)


def gigabytes(text: str) -> str:
    found = re.search(r"(\d+)\s*GB", text, re.IGNORECASE)
    return found.group(1) if found else ""


def processor_class(category: str, name: str) -> str:
    for pattern, cls in PROCESSOR_CLASSES:
        if re.search(pattern, name):
            return cls
    return "mainstream"


def demo_weight(category: str, name: str, screen: str) -> str:
    """A plausible weight (kg) from the form factor and the screen."""
    inches = float(screen) if screen else 0
    if category == "laptop":
        return "1.3" if inches < 13.9 else "1.5" if inches < 15 else "1.9"
    if category == "monitor":
        return "3.5" if inches < 23 else "4.5" if inches < 26 else "6" if inches < 30 else "9.5"
    if category == "tablet":
        return "0.5" if inches < 11.5 else "0.7"
    if category == "desktop":
        for pattern, weight in (
            ("Tiny|Micro|mini|Mini|Nano|Compact", "1.3"),
            ("All-in-One|iMac", "8"),
            ("Tower|3910", "6.5"),
        ):
            if re.search(pattern, name):
                return weight
        return "4.5"
    if category == "thin_client":
        return "1.1"
    if category == "printer":
        return "20" if name.startswith(("MB", "MC", "MX")) else "15"
    return ""


def specs_for(product: dict, sheet: dict | None) -> dict:
    """The row of specs.csv for one product."""
    category, name, sku = product["category"], product["name"], product["sku"]
    wanted = CATEGORY_SPECS.get(category, ())
    sheet = sheet or {}
    values: dict[str, str] = {}
    demo: list[str] = []
    named_screen = re.search(r"(\d\d(?:\.\d)?)[- ]?inch", name, re.IGNORECASE)
    cls = processor_class(category, name)
    if "screen_inches" in wanted:
        screen = number(named_screen.group(1)) if named_screen else number(sheet.get("screen_size", ""))
        if not screen:
            screen, demo = DEMO_SCREENS.get(sku, ""), [*demo, "screen_inches"]
        values["screen_inches"] = screen
    if "processor_class" in wanted:
        values["processor_class"] = cls
        demo.append("processor_class")
    if "memory_gb" in wanted:
        memory = gigabytes(sheet.get("memory", "")) or (gigabytes(name) if "MacBook Pro with 64GB" in name else "")
        if not memory:
            memory = str((THIN_CLIENT_MEMORY if category == "thin_client" else DEMO_MEMORY)[cls])
            demo.append("memory_gb")
        values["memory_gb"] = memory
    if "storage_gb" in wanted:
        storage = "" if "MacBook Pro with 64GB" in name else gigabytes(sheet.get("hard_drive", "")) or gigabytes(name)
        if not storage:
            if category in ("smartphone", "tablet"):
                storage = "128"
            else:
                storage = str((THIN_CLIENT_STORAGE if category == "thin_client" else DEMO_STORAGE)[cls])
            demo.append("storage_gb")
        values["storage_gb"] = storage
    if "weight_kg" in wanted:
        weight = number(sheet.get("weight", "")) if category != "desktop" or "Tower 880" not in name else ""
        if not weight:
            weight = demo_weight(category, name, values.get("screen_inches", ""))
            demo.append("weight_kg")
        values["weight_kg"] = weight
    return {"sku": sku, **{k: values.get(k, "") for k in HEADER[1:-1]}, "demo_fields": " ".join(sorted(demo))}


def main(boavizta_path: str, products_path: str) -> None:
    with open(boavizta_path, encoding="utf-8") as handle:
        sheets = list(csv.DictReader(handle))
    with open(products_path, encoding="utf-8") as handle:
        products = list(csv.DictReader(handle))
    writer = csv.DictWriter(sys.stdout, HEADER, lineterminator="\n")
    writer.writeheader()
    demo_count = 0
    for product in products:
        same = [
            s for s in sheets if s["sources"] == product["source_url"] and s["manufacturer"] == product["manufacturer"]
        ]
        exact = [s for s in same if number(s["gwp_total"]) == number(product["gwp_total_kgco2e"])]
        row = specs_for(product, (exact or same or [None])[0])
        demo_count += len(row["demo_fields"].split())
        writer.writerow(row)
    print(f"specs.csv: {len(products)} rows, {demo_count} demo values", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
