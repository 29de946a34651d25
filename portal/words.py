"""A code's word in the reader's language, read from a domain's table (in its `display.py`).

A table maps stored codes to words: lazy translations (`lazy_gettext`), or plain texts marked for extraction
and translated here, for the request. `word` reads one; `register_words` gives each table to the templates as a
function of the code (`category_name(item.category)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from flask import Blueprint
from flask_babel import gettext


def word(table: Mapping[str, Any], key: Any, default: str | None = None) -> str:
    """The word of `key` (a code, or an enum member: its value) in the reader's language; an unknown code as it
    is, or `default` when one is given."""
    code = getattr(key, "value", key)
    found = table.get(code)
    if found is None:
        return code if default is None else default
    return gettext(found) if isinstance(found, str) else str(found)


def register_words(bp: Blueprint, tables: Mapping[str, Mapping[str, Any]], default: str | None = None) -> None:
    """Each table as a template function under its name: `name(code)` gives the code's word (see `word`)."""
    for name, table in tables.items():
        bp.add_app_template_global(partial(word, table, default=default), name)
