"""ITSM hardware models → catalogue items, and ITSM model categories → portal categories.

The rule, published in the README and the help page:

1. **Exact**: the manufacturer and the model name are compared once normalised: case, accents, punctuation
   and spacing ignored; company suffixes dropped (Inc., Corp., Ltd, GmbH…; Hewlett-Packard is HP); the
   manufacturer's name repeated at the start of the model name, or given only there, is taken out.
2. **Similar**: among the catalogue items of the same manufacturer, the one whose name is the most similar
   once generic words are dropped (notebook, PC, laptop, desktop, workstation, form factor, inch…), with
   exactly the same numbers (so that an EliteBook 840 G9 is never an 845 G8), if its similarity (Python's
   difflib ratio) is at least :data:`SIMILARITY_THRESHOLD`.
3. Otherwise the model waits for an administrator at /admin/itsm/models; meanwhile its devices count with the
   default of the category its ITSM model category names (:data:`CATEGORY_WORDS`) and are marked *estimate*.
   A model whose ITSM category names no portal category has its devices refused until it is mapped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

SIMILARITY_THRESHOLD = Decimal("0.85")

_COMPANY_SUFFIXES = frozenset(
    {"inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "gmbh", "sa", "sas",
     "ag", "plc", "bv", "group", "technologies", "international"}
)
_MANUFACTURER_ALIASES = {"hewlett packard": "hp", "hewlett packard enterprise": "hpe", "hp enterprise": "hpe"}
_GENERIC_WORDS = frozenset(
    {"notebook", "pc", "laptop", "computer", "desktop", "mobile", "workstation", "tower", "form", "factor", "inch",
     "display", "with", "the", "and", "edition", "series", "model"}
)
_DIGITS = re.compile(r"\d+")

#: ITSM model category (normalised) → portal category. "Computer" is a desktop when the model name says so.
CATEGORY_WORDS = {
    "computer": "laptop", "personal computer": "laptop", "pc": "laptop", "laptop": "laptop", "notebook": "laptop",
    "desktop": "desktop", "workstation": "desktop", "thin client": "thin_client",
    "monitor": "monitor", "display": "monitor", "screen": "monitor", "ecran": "monitor",
    "mobile device": "smartphone", "mobile phone": "smartphone", "smartphone": "smartphone", "cell phone": "smartphone",
    "handheld": "smartphone", "tablet": "tablet", "printer": "printer", "multifunction printer": "printer",
    "mfp": "printer", "server": "server", "network gear": "network", "network": "network", "router": "network",
    "switch": "network", "firewall": "network", "wireless access point": "network", "docking station": "dock",
    "dock": "dock", "headset": "headset", "keyboard": "keyboard", "mouse": "mouse",
}
_DESKTOP_HINTS = ("optiplex", "prodesk", "elitedesk", "thinkcentre", "imac", "mac mini", "desktop", "tower",
                  "all in one", "mini pc")


def fold(text: str) -> str:
    """Lower case, no accents, letters and digits separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def manufacturer_key(name: str) -> str:
    """`Dell Inc.` → `dell`, `Hewlett-Packard` → `hp`."""
    words = fold(name).split()
    while len(words) > 1 and words[-1] in _COMPANY_SUFFIXES:
        words.pop()
    joined = " ".join(words)
    return _MANUFACTURER_ALIASES.get(joined, joined)


def _without_prefix(name_words: list[str], manufacturer: str, raw_manufacturer: str) -> list[str]:
    for prefix in {manufacturer, manufacturer_key(raw_manufacturer), fold(raw_manufacturer)}:
        prefix_words = prefix.split()
        if prefix_words and name_words[: len(prefix_words)] == prefix_words and len(name_words) > len(prefix_words):
            return name_words[len(prefix_words):]
    return name_words


@dataclass(frozen=True)
class ModelName:
    """A model's normalised manufacturer and name; `key` identifies the model."""

    manufacturer: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.manufacturer}|{self.name}"[:300]


def model_name(manufacturer: str, name: str, known_manufacturers: Iterable[str] = ()) -> ModelName:
    """Normalise an ITSM model; without a manufacturer, a known one starting the name is taken as it."""
    maker = manufacturer_key(manufacturer)
    words = fold(name).split()
    if not maker:
        for known in sorted(known_manufacturers, key=len, reverse=True):
            known_words = known.split()
            if known_words and words[: len(known_words)] == known_words and len(words) > len(known_words):
                return ModelName(known, " ".join(words[len(known_words):]))
        return ModelName("", " ".join(words))
    return ModelName(maker, " ".join(_without_prefix(words, maker, manufacturer)))


def _comparable(name: str) -> str:
    return " ".join(word for word in name.split() if word not in _GENERIC_WORDS)


def similarity(left: str, right: str) -> Decimal:
    """How alike two normalised model names are (0–1), generic words aside; 0 when their numbers differ."""
    a, b = _comparable(left), _comparable(right)
    if sorted(_DIGITS.findall(a)) != sorted(_DIGITS.findall(b)):
        return Decimal(0)
    return Decimal(str(round(SequenceMatcher(None, a, b).ratio(), 3)))


@dataclass(frozen=True)
class CatalogueModel:
    """A catalogue item as matching sees it."""

    item_id: int
    category: str
    name: ModelName


@dataclass(frozen=True)
class Match:
    """Which item a model is, how it was found, and how alike the names were."""

    item_id: int
    category: str
    how: str  # "exact" | "similar"
    similarity: Decimal


class CatalogueIndex:
    """The catalogue's items by normalised name, built once per run."""

    def __init__(self, items: Iterable[tuple[int, str, str, str]]) -> None:
        """`items`: (id, category, manufacturer, name) of the catalogue's items."""
        self.models: list[CatalogueModel] = []
        self.by_key: dict[str, CatalogueModel] = {}
        for item_id, category, manufacturer, name in items:
            model = CatalogueModel(item_id, category, model_name(manufacturer, name))
            self.models.append(model)
            self.by_key.setdefault(model.name.key, model)  # the first (lowest id) of two identical names
        self.manufacturers = frozenset(model.name.manufacturer for model in self.models if model.name.manufacturer)

    def normalise(self, manufacturer: str, name: str) -> ModelName:
        """An ITSM model's name as the index compares it."""
        return model_name(manufacturer, name, self.manufacturers)

    def match(self, model: ModelName) -> Match | None:
        """The catalogue item this model is, by the exact then the similar rule; None if neither holds."""
        exact = self.by_key.get(model.key)
        if exact is not None:
            return Match(exact.item_id, exact.category, "exact", Decimal(1))
        best: tuple[Decimal, CatalogueModel] | None = None
        for candidate in self.candidates(model):
            score = similarity(model.name, candidate.name.name)
            if score >= SIMILARITY_THRESHOLD and (best is None or score > best[0]):
                best = (score, candidate)
        if best is None:
            return None
        return Match(best[1].item_id, best[1].category, "similar", best[0])

    def candidates(self, model: ModelName) -> list[CatalogueModel]:
        """The items of the same manufacturer (every item when the manufacturer is unknown)."""
        return [c for c in self.models if not model.manufacturer or c.name.manufacturer == model.manufacturer]

    def suggestions(self, model: ModelName, limit: int = 5) -> list[tuple[int, Decimal]]:
        """The items most like this model (item id, similarity), for an administrator to choose from."""
        scored = [
            (candidate.item_id, Decimal(str(round(SequenceMatcher(
                None, _comparable(model.name), _comparable(candidate.name.name)).ratio(), 3))))
            for candidate in self.candidates(model)
        ]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:limit]


def category_for(itsm_category: str, model: str) -> str | None:
    """The portal category an ITSM model category names (a "Computer" is a desktop if its name says so)."""
    category = CATEGORY_WORDS.get(fold(itsm_category))
    if category == "laptop" and any(hint in fold(model) for hint in _DESKTOP_HINTS):
        return "desktop"
    return category
