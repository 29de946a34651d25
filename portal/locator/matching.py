"""Find a commune from what an employee types: a name (accents, case, hyphens, apostrophes and small
typos forgiven, "St"/"Ste" expanded) or a postcode (stdlib only).

Communes are any objects with ``insee``, ``name`` and ``postcodes`` attributes (an ORM row, a
:class:`CommuneRecord`); ``postcodes`` may be a sequence or a space/comma-separated string
("33000 33100").
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

__all__ = [
    "FUZZY_CUTOFF",
    "SUGGESTION_CUTOFF",
    "CommuneLike",
    "CommuneRecord",
    "Match",
    "MatchKind",
    "normalise",
    "search_communes",
    "suggestions",
]

#: Minimum similarity (difflib ratio, 0–1) for a typo to count as a match.
FUZZY_CUTOFF = 0.8
#: Minimum similarity for a name to be offered as a suggestion ("did you mean…").
SUGGESTION_CUTOFF = 0.6
#: Queries shorter than this are never matched fuzzily (too many accidental hits).
_FUZZY_MIN_LENGTH = 4

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_ARTICLES = ("le ", "la ", "les ", "l ")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_SEPARATORS = re.compile(r"[^0-9a-z]+")


class CommuneLike(Protocol):
    insee: str
    name: str
    postcodes: Any  # Sequence[str] or "33000 33100"


@dataclass(frozen=True, slots=True)
class CommuneRecord:
    insee: str
    name: str
    postcodes: tuple[str, ...]

    @classmethod
    def from_row(cls, row: Mapping[str, str]) -> CommuneRecord:
        """From a CSV row like those of ``communes.csv`` (postcodes space-separated)."""
        return cls(insee=row["insee"], name=row["name"], postcodes=_postcodes(row["postcodes"]))


class MatchKind:
    """How a commune matched, best first."""

    EXACT = "exact"  # same name once normalised ("begles" → Bègles), or the exact postcode
    PREFIX = "prefix"  # the name (or postcode) starts with the query ("Begle", "st medard", "331")
    WORD = "word"  # a later word of the name starts with the query ("medard", "bouscat")
    FUZZY = "fuzzy"  # close to the name despite typos ("Merignak")

    RANK = {EXACT: 0, PREFIX: 1, WORD: 2, FUZZY: 3}


@dataclass(frozen=True, slots=True)
class Match:
    commune: Any  # the record passed in
    kind: str  # a MatchKind value
    score: float  # 1.0 for exact/prefix/word matches, the similarity ratio for fuzzy ones


def normalise(text: str) -> str:
    """Lower-case, accents, ligatures and punctuation removed, words separated by one space, "st"/"ste"
    expanded: ``"Saint-Médard-en-Jalles"`` and ``"ST MEDARD EN JALLES"`` → ``"saint medard en jalles"``."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    ascii_text = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    words = _SEPARATORS.sub(" ", ascii_text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def _postcodes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.replace(",", " ").split())
    return tuple(str(code).strip() for code in value or ())


@lru_cache(maxsize=1024)
def _forms(name: str) -> tuple[str, ...]:
    """The normalised name, without its leading article too ("le bouscat" → "bouscat").

    Cached: the same 28 names are normalised on every search."""
    norm = normalise(name)
    forms = [norm]
    for article in _ARTICLES:
        if norm.startswith(article):
            forms.append(norm[len(article) :])
    return tuple(forms)


def _similarity(query: str, form: str, cutoff: float = 0.0) -> float:
    """How close the query is to the name or to the start of it (someone still typing, with a typo).

    A candidate whose upper bounds (lengths, then shared letters: difflib's real_quick_ratio and
    quick_ratio) are below ``cutoff`` cannot reach it and counts as 0 without running the full
    comparison, as in ``difflib.get_close_matches``: same results, a fraction of the time."""
    best = 0.0
    query_letters = _letters(query)
    for candidate in {form, form[: len(query)], form[: len(query) + 1]}:
        total = len(query) + len(candidate)
        if not total or 2 * min(len(query), len(candidate)) / total < cutoff:
            continue
        if cutoff:
            letters = _letters(candidate)
            shared = sum(min(count, letters.get(char, 0)) for char, count in query_letters.items())
            if 2 * shared / total < cutoff:
                continue
        best = max(best, difflib.SequenceMatcher(None, query, candidate).ratio())
    return best


@lru_cache(maxsize=4096)
def _letters(text: str) -> Counter[str]:
    """How many times each letter occurs (cached: the same name prefixes come back on every search)."""
    return Counter(text)


def _match_name(query: str, commune: Any) -> Match | None:
    forms = _forms(commune.name)
    compact_query = query.replace(" ", "")
    if any(query == form or compact_query == form.replace(" ", "") for form in forms):
        return Match(commune, MatchKind.EXACT, 1.0)
    if any(form.startswith(query) or form.replace(" ", "").startswith(compact_query) for form in forms):
        return Match(commune, MatchKind.PREFIX, 1.0)
    if (" " + query) in forms[0]:
        return Match(commune, MatchKind.WORD, 1.0)
    if len(compact_query) >= _FUZZY_MIN_LENGTH:
        score = max(_similarity(query, form, FUZZY_CUTOFF) for form in forms)
        if score >= FUZZY_CUTOFF:
            return Match(commune, MatchKind.FUZZY, score)
    return None


def search_communes(query: str, communes: Iterable[Any], limit: int | None = 10) -> list[Match]:
    """Communes matching ``query``, best first: exact (normalised name or postcode) > prefix > word >
    fuzzy; within a kind by similarity then name. A 5-digit query returns every commune with that
    postcode; 2 to 4 digits, the communes with a postcode starting so. No match → ``[]`` (then offer
    :func:`suggestions`)."""
    communes = list(communes)
    stripped = (query or "").replace(" ", "").strip()
    matches: list[Match] = []
    if stripped.isdigit():
        if len(stripped) < 2:
            return []
        for commune in communes:
            codes = _postcodes(commune.postcodes)
            if stripped in codes:
                matches.append(Match(commune, MatchKind.EXACT, 1.0))
            elif len(stripped) < 5 and any(code.startswith(stripped) for code in codes):
                matches.append(Match(commune, MatchKind.PREFIX, 1.0))
    else:
        norm = normalise(query)
        if not norm:
            return []
        for commune in communes:
            match = _match_name(norm, commune)
            if match is not None:
                matches.append(match)
    matches.sort(key=lambda m: (MatchKind.RANK[m.kind], -m.score, _forms(m.commune.name)[0]))
    return matches if limit is None else matches[:limit]


def suggestions(query: str, names: Sequence[str], n: int = 3, cutoff: float = SUGGESTION_CUTOFF) -> list[str]:
    """Up to ``n`` of ``names`` closest to ``query`` (difflib similarity on normalised text, also
    against the start of each name), best first; for a "did you mean …?" after a failed search."""
    norm = normalise(query)
    if not norm or n <= 0:
        return []
    scored = []
    for index, name in enumerate(names):
        score = max(_similarity(norm, form, cutoff) for form in _forms(name))
        if score >= cutoff:
            scored.append((-score, index, name))
    scored.sort()
    return [name for _, _, name in scored[:n]]
