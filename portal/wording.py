"""French elision and contraction of a preposition before a name: de + Ambarès → d’Ambarès, de + Le Bouscat →
du Bouscat, de + Les … → des …, à + Le … → au …, le + EliteBook → l’EliteBook.

One helper for the whole portal: `with_preposition` for names put together in code (demo data, e-mails),
and `elide_placeholders`, which the translation functions apply to every translated text whose name follows
"de", "à" or "le" (`de %(commune)s`), so that no template or message has to think of it. English texts never
hold these words before a placeholder, so nothing changes for them. Stdlib only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

APOSTROPHE = "\u2019"
#: The article a name may start with, and what "de" / "à" become with it.
_CONTRACTIONS = {
    ("de", "le"): "du",
    ("de", "les"): "des",
    ("à", "le"): "au",
    ("à", "les"): "aux",
}
_PLACEHOLDER = re.compile(r"(?<![\w’'])(de|De|à|À|le|Le) %\((\w+)\)s")
_ARTICLE = re.compile(r"(Le|Les|le|les) (?=\S)")


def _starts_with_vowel(text: str) -> bool:
    """Whether French elides before `text`: a vowel, or an "h" followed by an accented vowel, as in French names
    (« d’Hélène », « d’Hôtel de ville »). Any other "h" is taken as aspirated: brands and model names (« de HP »,
    « de Heavy 15 ») and words such as « le Haillan »."""
    first = unicodedata.normalize("NFD", text[:1])[:1].lower()
    if first == "h":
        return text[1:2] in ("é", "è", "ê", "ô", "î", "â", "û")
    return first in "aeiouyœæ" and first != ""


def with_preposition(preposition: str, name: str) -> str:
    """`preposition` + `name` as French writes it: de + Ambarès → d’Ambarès, de + Le Bouscat → du Bouscat,
    de + Les Eyzies → des Eyzies, à + Le Haillan → au Haillan, le + EliteBook → l’EliteBook (a mute "h" too:
    de + Hélène → d’Hélène, but de + HP → de HP). The preposition's capital is kept (De + Eysines → D’Eysines)."""
    lower = preposition.lower()
    capital = preposition[:1].isupper()
    article = _ARTICLE.match(name)
    if article and (lower, article.group(1).lower()) in _CONTRACTIONS:
        word = _CONTRACTIONS[(lower, article.group(1).lower())]
        return (word.capitalize() if capital else word) + " " + name[article.end() :]
    if lower in ("de", "le") and _starts_with_vowel(name):
        return preposition[0] + APOSTROPHE + name
    return f"{preposition} {name}"


def elide_placeholders(template: str, variables: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    """The template and its values with each "de %(name)s" (or à, le) replaced by the elided or contracted form
    of the value: format the result with `%` as before. A value kept as markup stays markup."""
    if "%(" not in template or not _PLACEHOLDER.search(template):
        return template, variables
    values = dict(variables)

    def replace(match: re.Match[str]) -> str:
        preposition, key = match.group(1), match.group(2)
        if key not in values:
            return match.group(0)
        value = values[key]
        joined = with_preposition(preposition, str(value))
        if hasattr(value, "__html__"):
            joined = type(value)(joined) if isinstance(value, str) else joined
        new_key = f"_{'a' if preposition.lower() == 'à' else preposition.lower()}_{key}"
        values[new_key] = joined
        return f"%({new_key})s"

    return _PLACEHOLDER.sub(replace, template), values
