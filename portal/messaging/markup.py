"""The small, safe markup that message bodies are written in, rendered to HTML and to plain text.

A Markdown subset, nothing more:

* paragraphs are separated by one or more blank lines; a single newline is a line break (``<br>``);
* ``**bold**`` and ``*italic*`` (the opening mark must be followed, and the closing mark preceded, by a
  non-space character, so ``5 * 3 * 2`` stays as it is);
* ``- item`` lines make a bullet list; an indented line right after an item continues that item;
* ``# Heading`` and ``## Sub-heading`` (rendered as ``<h2>`` and ``<h3>``: the page or e-mail around the
  message owns ``<h1>``);
* ``[text](url)`` links, only for ``http://``, ``https://`` and ``mailto:`` URLs, without credentials before
  the host (``https://portal.example@evil.example`` leads to evil.example); any other link (``javascript:``,
  ``data:``, relative…) is rendered as its text alone;
* a backslash before an ASCII punctuation character (``\\*``, ``\\[``, ``\\-``, ``\\#``…) makes it literal.

There is no raw HTML: every character of text is escaped with markupsafe, so ``<script>`` shows as text.

Values inserted into a message (a recipient's name…) go through :func:`escape_markup` first: it turns every
character the markup gives a meaning to (backslash, ``*``, brackets, parentheses, ``#``, ``-``; also ``_``
and the backquote, kept for later) into an internal "literal" code point (the private-use character
U+E000 + its ASCII code) that the parser never treats as markup and that rendering turns back into the
original character. A value can therefore neither open a link, nor start a list, nor eat a backslash of
the surrounding text, and it always stays on one line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from markupsafe import Markup, escape

__all__ = ["escape_markup", "find_unsafe_links", "is_safe_url", "render", "to_html", "to_text"]

_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_LITERAL_BASE = 0xE000  # literal form of an ASCII character c: chr(_LITERAL_BASE + ord(c))
_LITERAL_RANGE = range(_LITERAL_BASE, _LITERAL_BASE + 0x80)
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

# Literal code points back to the characters they stand for.
_FROM_LITERAL = {_LITERAL_BASE + ord(c): c for c in _PUNCTUATION}

# Characters with a meaning in the markup (the backslash escapes, `*`, links, `#` and `-` at line start),
# plus `_` and a backquote, reserved for emphasis and code should the markup ever grow.
_MARKUP_CHARACTERS = "\\*[]()#-_`"

# For values: markup characters → literal, stray private-use literal code points → U+FFFD, line breaks →
# space, other control characters dropped.
_VALUE_TABLE: dict[int, str | None] = {cp: "\ufffd" for cp in _LITERAL_RANGE}
_VALUE_TABLE.update({ord(c): chr(_LITERAL_BASE + ord(c)) for c in _MARKUP_CHARACTERS})
_VALUE_TABLE.update({cp: None for cp in [*range(0x00, 0x09), *range(0x0E, 0x1C), 0x1F, 0x7F]})
_VALUE_TABLE.update({ord(c): " " for c in _LINE_BREAKS})

# For the message source: control characters other than tab and newline are dropped.
_SOURCE_TABLE: dict[int, None] = {cp: None for cp in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]}

_VALUE_SPECIAL_RE = re.compile("[" + "".join(f"\\U{cp:08x}" for cp in sorted(_VALUE_TABLE)) + "]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LITERAL_RE = re.compile("[\ue000-\ue07f]")
# A literal code point in the final HTML: the character it stands for, HTML-escaped.
_HTML_LITERALS = {chr(cp): str(escape(c)) for cp, c in _FROM_LITERAL.items()}
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_HEADING_RE = re.compile(r" {0,3}(#{1,2})[ \t]+(.*\S)")
_BULLET_RE = re.compile(r" {0,3}-[ \t]+(.*\S)")
_CONTINUATION_RE = re.compile(r"(?: {2,}|\t)\s*(\S.*)")
_DELIMITER_RE = re.compile(r"\*+|\[")
_STAR_RUN_RE = re.compile(r"\*+")
_URL_RE = re.compile(r"([^\s()]*)\)")
_SAFE_URL_RE = re.compile(
    r"(?:https?://[^\s/?#\\@]+(?:[/?#]\S*)?|mailto:[^\s@/?]+@[^\s@/?]+(?:\?\S*)?)",
    re.IGNORECASE,
)
_URL_END_RE = re.compile(r"[\s)]")

_MAX_DEPTH = 4
_HEADING_TAGS = {1: "h2", 2: "h3"}

# Inline nodes: a str (text, possibly with literal code points), or a tuple
# ("b", children) / ("i", children) / ("a", children, url).
_Inline = str | tuple
_Block = tuple  # ("p", [line, ...]) / ("ul", [[line, ...], ...]) / ("h", level, line); line = list[_Inline]


def escape_markup(value: str) -> str:
    """Text that the markup parser shows literally, on one line, whatever characters it contains."""
    return value.translate(_VALUE_TABLE) if _VALUE_SPECIAL_RE.search(value) else value


def is_safe_url(url: str) -> bool:
    """True for an http(s) URL with a host and no user name or password, or a mailto: address; nothing else
    is ever linked."""
    return _SAFE_URL_RE.fullmatch(url) is not None


def _prepare(source: str) -> str:
    """Normalise newlines, drop control characters and turn backslash escapes into literal code points."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL_RE.search(source):
        source = source.translate(_SOURCE_TABLE)
    return _ESCAPE_RE.sub(lambda m: chr(_LITERAL_BASE + ord(m.group(1))), source)


def find_unsafe_links(source: str) -> list[tuple[int, str]]:
    """The links of `source` whose URL is not allowed, as (line number from 1, url) pairs.

    A link is `[label](url` followed by a space or `)`, the label on one line without `]`: wider than the
    parser (it catches `(x(y)`). A URL cut by the end of the text (a placeholder follows) is not checked
    here: rendering checks the complete URL. One pass: each character is looked at a bounded number of times,
    where a regular expression retried at every `[` took seconds on a 20,000-character line of them.
    """
    prepared = _prepare(source)
    found = []
    line, counted = 1, 0  # newlines counted up to `counted`
    position = 0  # where the next label may start
    while (close := prepared.find("](", position)) != -1:
        start = max(position, prepared.rfind("]", position, close) + 1, prepared.rfind("\n", position, close) + 1)
        opening = prepared.find("[", start, close)
        if opening == -1 or opening == close - 1:  # no label
            position = close + 1
            continue
        end = _URL_END_RE.search(prepared, close + 2)
        if end is None:  # no space or `)` left: no later URL can end either
            break
        url = prepared[close + 2 : end.start()].translate(_FROM_LITERAL)
        if not is_safe_url(url):
            line += prepared.count("\n", counted, opening)
            counted = opening
            found.append((line, url))
        position = end.start()
    return found


# --------------------------------------------------------------------------------------------- parsing


def _inline(text: str, depth: int = 0, links: bool = True) -> list[_Inline]:
    """Parse one line of text into inline nodes. Linear: each delimiter is looked at once."""
    if not text:
        return []
    if depth >= _MAX_DEPTH or ("*" not in text and "[" not in text):
        return [text]
    closers: dict[int, list[int]] = {1: [], 2: []}
    for run in _STAR_RUN_RE.finditer(text):
        start, length = run.start(), run.end() - run.start()
        if length in closers and start > 0 and not text[start - 1].isspace():
            closers[length].append(start)

    out: list[_Inline] = []
    pending = 0  # start of the text not yet emitted
    position = 0
    bracket_close = -1  # memo: first ']' after the last '[' looked at
    while (match := _DELIMITER_RE.search(text, position)) is not None:
        start, end = match.span()
        if match.group() == "[":
            if not links:
                position = end
                continue
            if bracket_close <= start:
                bracket_close = text.find("]", end)
                if bracket_close == -1:
                    links = False  # no ']' left on the line: no more links possible
                    position = end
                    continue
            url_match = None
            if text.startswith("(", bracket_close + 1):
                url_match = _URL_RE.match(text, bracket_close + 2)
            label = text[end:bracket_close]
            if url_match is None or not label.strip():
                position = end
                continue
            url = url_match.group(1).translate(_FROM_LITERAL)
            if start > pending:
                out.append(text[pending:start])
            children = _inline(label, depth + 1, links=False)
            if is_safe_url(url):
                out.append(("a", children, url))
            else:
                out.extend(children)  # neutralised: the text alone, no link
            position = pending = url_match.end()
            continue
        length = end - start
        if length in closers and end < len(text) and not text[end].isspace():
            candidates = closers[length]
            index = bisect_right(candidates, end)
            if index < len(candidates):
                close = candidates[index]
                if start > pending:
                    out.append(text[pending:start])
                out.append(("b" if length == 2 else "i", _inline(text[end:close], depth + 1, links)))
                position = pending = close + length
                continue
        position = end
    if pending < len(text):
        out.append(text[pending:])
    return out


def _parse(source: str) -> list[_Block]:
    blocks: list[_Block] = []
    paragraph: list[list[_Inline]] | None = None
    items: list[list[list[_Inline]]] | None = None
    for raw in _prepare(source).split("\n"):
        line = raw.rstrip()
        stripped = line.lstrip()
        if not stripped:
            paragraph = items = None
            continue
        first = stripped[0]
        bullet = _BULLET_RE.fullmatch(line) if first == "-" else None
        heading = _HEADING_RE.fullmatch(line) if first == "#" else None
        continuation = None
        if items is not None and bullet is None and line[0] in " \t":
            continuation = _CONTINUATION_RE.fullmatch(line)
        if continuation and items is not None:
            items[-1].append(_inline(continuation.group(1)))
            continue
        if heading:
            blocks.append(("h", len(heading.group(1)), _inline(heading.group(2))))
            paragraph = items = None
        elif bullet:
            if items is None:
                items = []
                blocks.append(("ul", items))
            items.append([_inline(bullet.group(1))])
            paragraph = None
        else:
            if paragraph is None:
                paragraph = []
                blocks.append(("p", paragraph))
            paragraph.append(_inline(stripped))
            items = None
    return blocks


# ------------------------------------------------------------------------------------------- rendering


def _html_inline(nodes: Sequence[_Inline]) -> str:
    if len(nodes) == 1 and type(nodes[0]) is str:  # most lines: plain text
        return str(escape(nodes[0]))
    parts = []
    for node in nodes:
        if type(node) is str:
            parts.append(str(escape(node)))  # literal code points are replaced at the end
        elif node[0] == "a":
            parts.append(f'<a href="{escape(node[2])}">{_html_inline(node[1])}</a>')
        else:
            tag = "strong" if node[0] == "b" else "em"
            parts.append(f"<{tag}>{_html_inline(node[1])}</{tag}>")
    return "".join(parts)


def _text_inline(nodes: Sequence[_Inline]) -> str:
    if len(nodes) == 1 and type(nodes[0]) is str:
        return nodes[0]
    parts = []
    for node in nodes:
        if type(node) is str:
            parts.append(node)
        elif node[0] == "a":
            label, url = _text_inline(node[1]), node[2]
            parts.append(url if label.translate(_FROM_LITERAL) == url else f"{label} ({url})")
        else:
            parts.append(_text_inline(node[1]))
    return "".join(parts)


def _html(blocks: Sequence[_Block]) -> Markup:
    out = []
    for block in blocks:
        if block[0] == "p":
            out.append("<p>" + "<br>\n".join(_html_inline(line) for line in block[1]) + "</p>")
        elif block[0] == "ul":
            lis = ("<li>" + "<br>\n".join(_html_inline(line) for line in item) + "</li>" for item in block[1])
            out.append("<ul>\n" + "\n".join(lis) + "\n</ul>")
        else:
            tag = _HEADING_TAGS[block[1]]
            out.append(f"<{tag}>{_html_inline(block[2])}</{tag}>")
    html = "\n".join(out)
    if _LITERAL_RE.search(html):
        html = _LITERAL_RE.sub(lambda m: _HTML_LITERALS.get(m.group(), m.group()), html)
    return Markup(html)  # noqa: S704 - built only from escaped text and fixed tags  # nosec B704


def _text(blocks: Sequence[_Block]) -> str:
    out = []
    for block in blocks:
        if block[0] == "p":
            out.append("\n".join(_text_inline(line) for line in block[1]))
        elif block[0] == "ul":
            lines = ("- " + "\n  ".join(_text_inline(line) for line in item) for item in block[1])
            out.append("\n".join(lines))
        else:
            out.append(_text_inline(block[2]))
    text = "\n\n".join(out)
    return text.translate(_FROM_LITERAL) if _LITERAL_RE.search(text) else text


def render(source: str) -> tuple[Markup, str]:
    """Parse `source` once and render it both ways: (HTML, plain text)."""
    blocks = _parse(source)
    return _html(blocks), _text(blocks)


def to_html(source: str) -> Markup:
    """The HTML of `source`: every text character escaped, only p/br/strong/em/ul/li/h2/h3/a tags."""
    return _html(_parse(source))


def to_text(source: str) -> str:
    """The plain text of `source`: marks removed, links as `text (url)`, list items as `- item`."""
    return _text(_parse(source))
