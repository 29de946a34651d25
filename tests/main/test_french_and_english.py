"""Proper French and proper English in the two catalogues: French typography in every French text (a narrow
no-break space before « : ; ! ? » and inside « », curly apostrophes), no French word left in an English text
and no English word in a French one. Run it again after adding strings: it fails on any text that lacks them.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
FRENCH = ROOT / "portal" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
NARROW = "\u202f"
#: A French punctuation mark that ends a phrase (followed by a space, a tag, a closing sign or the end),
#: and what may stand before it.
_PUNCTUATION = re.compile(r"(.)([:;!?])(?=[\s<»)]|$)")
_STRAIGHT_APOSTROPHE = re.compile(r"\w'\w")
#: Words that only French writes, and words that only English writes (whole words, case-insensitive), as
#: found in the texts the portal writes; proper names and codes are not in these lists.
FRENCH_WORDS = (
    "votre",
    "vos",
    "les",
    "des",
    "une",
    "avec",
    "pour",
    "équipement",
    "équipements",
    "aucun",
    "modèle",
    "renseigné",
    "facteurs",
    "numérique",
    "enregistrer",
    "télécharger",
)
ENGLISH_WORDS = (
    "the",
    "your",
    "with",
    "and",
    "of",
    "laptop",
    "download",
    "save",
    "estimate",
    "whole",
    "factors",
    "request",
    "devices",
    "device",
)
#: Texts that are the same in both languages, or quote a proper name or a code.
SAME_IN_BOTH = {
    "Tom's Hardware",
    "ServiceNow",
    "GeoJSON",
    "EcoIndex",
    "ADEME",
    "Boavizta",
    "Impact CO2",
    "Défenseur des droits",
    "and, not",
    "== !=",
    "charger_cable",
}


def _entries() -> list[tuple[str, list[str]]]:
    with FRENCH.open("rb") as handle:
        catalog = read_po(handle)
    out = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
        out.append((msgid, strings))
    return out


def _code_like(text: str) -> bool:
    return '{"' in text or "://" in text


def typography_problems(text: str) -> list[str]:
    """What a French text lacks: the narrow no-break space before « : ; ! ? » and inside « », curly apostrophes."""
    if _code_like(text):
        return []
    problems = [f"{mark!r} after {before!r}" for before, mark in _PUNCTUATION.findall(text) if before != NARROW]
    problems += [f"« without {NARROW!r}" for _ in re.findall(r"«(?!\u202f)", text)]
    problems += [f"» without {NARROW!r}" for _ in re.findall(r"(?<!\u202f)»", text)]
    problems += [f"straight apostrophe in {match!r}" for match in _STRAIGHT_APOSTROPHE.findall(text)]
    return problems


def test_the_check_sees_what_is_missing():
    assert typography_problems("Source : ADEME") == ["':' after ' '"]
    assert typography_problems("Prêt ?") == ["'?' after ' '"]
    assert typography_problems("l'empreinte") == ['straight apostrophe in "l\'e"']
    assert typography_problems("«\u202fMon espace\u202f» à 17\u202fh\u202f: ok") == []
    assert typography_problems("https://x.example/a?b=c") == []


def test_every_french_text_has_french_typography():
    problems = [
        f"{msgid!r}: {', '.join(found)}"
        for msgid, strings in _entries()
        for text in strings
        if (found := typography_problems(text))
    ]
    assert problems == [], "\n".join(problems)


def _words(text: str) -> set[str]:
    text = re.sub(r"%\(\w+\)[sdf]|<[^>]+>|\{[^}]*\}", " ", text)
    return {word.lower() for word in re.findall(r"[\w’']+", text)}


def test_no_french_word_in_an_english_text_and_no_english_word_in_a_french_one():
    problems = []
    for msgid, strings in _entries():
        if any(name in text for name in SAME_IN_BOTH for text in (msgid, *strings)):
            continue
        french_in_english = _words(msgid) & set(FRENCH_WORDS)
        if french_in_english:
            problems.append(f"English {msgid!r} has {sorted(french_in_english)}")
        for text in strings:
            english_in_french = _words(text) & set(ENGLISH_WORDS)
            if english_in_french:
                problems.append(f"French {text!r} has {sorted(english_in_french)}")
    assert problems == [], "\n".join(problems)
