"""Imported files, from the web or the command line: read within the size limit and checked to be UTF-8 text
before any domain parses them, so that a picture, a spreadsheet, a PDF or a UTF-16 export renamed `.csv` is
refused in the same clear words by every import page and command, and nothing is imported.

The detection is standard library only (the storage parsers, which stream their files and stay free of Flask,
use it too); Flask is imported only by the functions that need a request or a language.
"""

from __future__ import annotations

import codecs
import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from portal.domain_error import DomainError

if TYPE_CHECKING:
    from werkzeug.datastructures import FileStorage

#: How much of a file is looked at before any line is decoded: well past any header line.
HEAD_BYTES = 64 * 1024

#: Files that start like this are not text whatever they are called (the first bytes of each format).
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "spreadsheet"),  # .xlsx, .ods and any ZIP archive
    (b"PK\x05\x06", "spreadsheet"),  # an empty ZIP archive
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "spreadsheet"),  # .xls (OLE2 compound file)
    (b"\x89PNG\r\n\x1a\n", "binary"),
    (b"\xff\xd8\xff", "binary"),  # JPEG
    (b"GIF87a", "binary"),
    (b"GIF89a", "binary"),
    (b"%PDF", "binary"),
    (b"\x1f\x8b", "binary"),  # gzip
)
#: Control characters that never appear in CSV text (tab, line feed, carriage return and form feed do).
_CONTROL_BYTES = bytes(code for code in range(32) if code not in b"\t\n\r\x0c") + b"\x7f"

REASONS = ("spreadsheet", "utf16", "binary", "not_utf8")


class NotTextError(DomainError):
    """The file is not UTF-8 text: `code` among REASONS and, when known, the first `line` at fault."""

    def __init__(self, code: str, line: int | None = None) -> None:
        super().__init__(code, line=line)
        self.line = line

    def messages(self) -> Mapping[str, Any]:
        from flask_babel import lazy_gettext as _l

        return {
            "spreadsheet": _l(
                "This is a spreadsheet (Excel, LibreOffice) or a ZIP archive, not a text file. "
                "Save or export it as “CSV UTF-8” and send that file."
            ),
            "utf16": _l("This file is UTF-16 text, not UTF-8. Save or export it as “CSV UTF-8” and send it again."),
            "not_utf8": _l(
                "The file is not UTF-8 text. Line %(line)d is the first with a character in another encoding "
                "(Windows-1252, Latin-1…): save the file as “CSV UTF-8” and send it again."
            ),
            "binary": _l(
                "This is not a CSV text file. It contains binary data (a picture, a PDF, a program…): "
                "send the file saved or exported as “CSV UTF-8”."
            ),
        }

    def values(self) -> Mapping[str, Any]:
        return {"line": self.line or 1}


def _looks_like_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: Latin text leaves every other byte zero, and only those."""
    sample = head[:4096]
    if len(sample) < 4:
        return False
    for text, zeros in ((sample[0::2], sample[1::2]), (sample[1::2], sample[0::2])):
        if zeros.count(0) * 10 >= len(zeros) * 7 and text.count(0) * 20 <= len(text):
            return True
    return False


def check_head(head: bytes) -> None:
    """NotTextError if the first bytes of a file show it is not UTF-8 text (format signature, UTF-16, NUL
    bytes, control characters, no line break at all). Encoding errors further down are found by decoding."""
    for signature, reason in SIGNATURES:
        if head.startswith(signature):
            raise NotTextError(reason, 1)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_like_utf16(head):
        raise NotTextError("utf16", 1)
    if b"\x00" in head:
        raise NotTextError("binary", head.count(b"\n", 0, head.index(b"\x00")) + 1)
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > max(1, len(head) // 100):
        raise NotTextError("binary")
    if len(head) >= HEAD_BYTES and b"\n" not in head:
        raise NotTextError("binary", 1)  # 64 KiB without a line break is no CSV header


def decode_text(data: bytes) -> str:
    """The text of a whole file (UTF-8, a byte-order mark removed); NotTextError with the first line at fault."""
    check_head(data[:HEAD_BYTES])
    if b"\x00" in data:
        raise NotTextError("binary", data.count(b"\n", 0, data.index(b"\x00")) + 1)
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotTextError("not_utf8", data.count(b"\n", 0, error.start) + 1) from None


def iter_text_lines(stream: IO[bytes]) -> Iterator[str]:
    """The lines of a binary stream decoded one by one (endings kept, byte-order mark removed), for files
    read lazily: the head is checked before the first line comes out, and a bad line raises NotTextError
    with its number when it is reached."""
    head = stream.read(HEAD_BYTES)
    check_head(head)
    *complete, partial = head.removeprefix(codecs.BOM_UTF8).split(b"\n")
    first_lines = [line + b"\n" for line in complete]
    if partial:
        first_lines.append(partial + stream.readline())
    for number, raw in enumerate(itertools.chain(first_lines, stream), start=1):
        if b"\x00" in raw:
            raise NotTextError("binary", number)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise NotTextError("not_utf8", number) from None
        yield line


def read_text_file(path: Path) -> str:
    """The text of a file given to a command; NotTextError if it is not UTF-8 text."""
    return decode_text(path.read_bytes())


def read_upload(upload: FileStorage) -> str:
    """The text of an uploaded file, read within MAX_CONTENT_LENGTH (413 beyond, as for the whole request);
    NotTextError if it is not UTF-8 text."""
    from flask import current_app
    from werkzeug.exceptions import RequestEntityTooLarge

    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    data = upload.stream.read(limit + 1) if limit else upload.stream.read()
    if limit and len(data) > limit:
        raise RequestEntityTooLarge()
    return decode_text(data)
