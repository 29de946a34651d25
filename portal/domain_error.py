"""The one error type of the portal's domains: a refusal a person can read.

A service refuses with a stable `code` (what the tests and the logs see) and the values its message quotes
(`params`). The words live in one translated table per kind of error, in the domain's `display.py` (or,
for the shared modules, next to the error): `message()` gives them in the current language, and commands
call `message("en")`. Routes never hold their own copy of the words.

Standard library only at import time, so that pure modules (the footprint core's neighbours, the parsers) can
raise it; Flask-Babel is imported when a message is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any, ClassVar


class DomainError(ValueError):
    """A refusal: `code`, `params`, and its translated words in ``portal.<domain>.display.<table>``."""

    #: The package whose display module holds the table, and the table's name there.
    domain: ClassVar[str] = ""
    table: ClassVar[str] = "MESSAGES"

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code}: {params}" if params else code)
        self.code = code
        self.params = params

    def messages(self) -> Mapping[str, Any]:
        """The table of this kind of error: code → (lazy) text with ``%(name)s`` placeholders."""
        table: Mapping[str, Any] = getattr(importlib.import_module(f"portal.{self.domain}.display"), self.table)
        return table

    def message(self, locale: str | None = None) -> str:
        """The refusal in words: in the current language, or in `locale` (commands: "en")."""
        from flask_babel import force_locale

        with force_locale(locale) if locale else nullcontext():
            return str(self.messages()[self.code]) % self.values()

    def values(self) -> Mapping[str, Any]:
        """What the message quotes (a kind of error may format its numbers or dates here)."""
        return self.params
