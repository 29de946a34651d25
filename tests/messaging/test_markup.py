"""The message markup: a small Markdown subset rendered to escaped HTML and to plain text."""

import pytest

from portal.messaging import markup
from portal.messaging.markup import escape_markup, find_unsafe_links, is_safe_url, render, to_html, to_text


def test_paragraphs_and_line_breaks():
    source = "First line\nsecond line\n\n\n  Second paragraph  \n"
    assert to_html(source) == "<p>First line<br>\nsecond line</p>\n<p>Second paragraph</p>"
    assert to_text(source) == "First line\nsecond line\n\nSecond paragraph"


def test_windows_and_old_mac_newlines():
    assert to_html("a\r\nb\r\rc") == "<p>a<br>\nb</p>\n<p>c</p>"


def test_bold_and_italic():
    assert to_html("**bold** and *italic*") == "<p><strong>bold</strong> and <em>italic</em></p>"
    assert to_text("**bold** and *italic*") == "bold and italic"


def test_nested_emphasis():
    assert to_html("**a *b* c**") == "<p><strong>a <em>b</em> c</strong></p>"
    assert to_html("*a **b** c*") == "<p><em>a <strong>b</strong> c</em></p>"


@pytest.mark.parametrize("source", ["5 * 3 * 2", "a ** b ** c", "*open only", "**", "* not a list"])
def test_stars_without_a_proper_pair_stay_text(source):
    assert to_html(source) == f"<p>{source}</p>"


def test_bullet_list_between_paragraphs():
    source = "Your devices:\n- a laptop\n- a **phone**\nThanks."
    assert to_html(source) == (
        "<p>Your devices:</p>\n<ul>\n<li>a laptop</li>\n<li>a <strong>phone</strong></li>\n</ul>\n<p>Thanks.</p>"
    )
    assert to_text(source) == "Your devices:\n\n- a laptop\n- a phone\n\nThanks."


def test_indented_line_continues_a_list_item():
    source = "- first\n  more of the first\n- second"
    assert to_html(source) == "<ul>\n<li>first<br>\nmore of the first</li>\n<li>second</li>\n</ul>"
    assert to_text(source) == "- first\n  more of the first\n- second"


def test_headings():
    assert to_html("# Title\n## Sub\n### not a heading") == ("<h2>Title</h2>\n<h3>Sub</h3>\n<p>### not a heading</p>")
    assert to_text("# Title\n\nBody") == "Title\n\nBody"


def test_allowed_links():
    source = "See [the portal](https://portal.example.org/a?b=1&c=2) or [write](mailto:green@example.org)."
    assert to_html(source) == (
        '<p>See <a href="https://portal.example.org/a?b=1&amp;c=2">the portal</a>'
        ' or <a href="mailto:green@example.org">write</a>.</p>'
    )
    assert to_text(source) == (
        "See the portal (https://portal.example.org/a?b=1&c=2) or write (mailto:green@example.org)."
    )


def test_link_whose_text_is_its_url_is_not_repeated_in_text():
    assert to_text("[http://a.example](http://a.example)") == "http://a.example"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "javascript:alert",
        "JaVaScRiPt:alert",
        "data:text/html,x",
        "vbscript:x",
        "/relative/path",
        "//evil.example",
        "ftp://files.example",
        "https:evil",
        "http://",
        "https://a@evil.example",
        "https://portail.example.org@evil.example/connexion",
        "http://user:password@evil.example",
    ],
)
def test_other_links_are_neutralised(url):
    html, text = render(f"click [here]({url}) now")
    assert "<a" not in html
    assert "href" not in html
    assert "here" in html and "here" in text


def test_javascript_link_renders_its_text_only():
    html, text = render("click [here](javascript:steal) now")
    assert html == "<p>click here now</p>"
    assert text == "click here now"
    assert "javascript" not in html


def test_raw_html_is_escaped():
    html, text = render('<script>alert("x")</script>\n<b onclick="x">&amp;</b>')
    assert html == (
        "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;<br>\n&lt;b onclick=&#34;x&#34;&gt;&amp;amp;&lt;/b&gt;</p>"
    )
    assert text == '<script>alert("x")</script>\n<b onclick="x">&amp;</b>'


def test_quote_in_url_cannot_break_the_attribute():
    html = to_html('[x](https://a.example/"onmouseover="alert)')
    assert html == '<p><a href="https://a.example/&#34;onmouseover=&#34;alert">x</a></p>'


def test_backslash_escapes_make_marks_literal():
    source = "\\*not italic\\* \\[not](a link) \\\\\n\\- not a list\n\\# not a heading"
    assert to_html(source) == "<p>*not italic* [not](a link) \\<br>\n- not a list<br>\n# not a heading</p>"


def test_control_characters_are_dropped():
    assert to_html("a\x00b\x1bc") == "<p>abc</p>"


def test_escape_markup_makes_a_value_literal_and_single_line():
    value = "**x** [a](javascript:x) <b>y</b> \\ # - _ `\nsecond\u2028line"
    html, text = render(escape_markup(value))
    assert html == ("<p>**x** [a](javascript:x) &lt;b&gt;y&lt;/b&gt; \\ # - _ ` second line</p>")
    assert text == "**x** [a](javascript:x) <b>y</b> \\ # - _ ` second line"


@pytest.mark.parametrize("value", ["- item", "# heading", "[a](https://evil.example)", "*a*"])
def test_escaped_value_at_line_start_makes_no_structure(value):
    html, text = render(escape_markup(value))
    assert html == f"<p>{value}</p>"
    assert text == value


def test_escaped_value_cannot_be_swallowed_by_a_trailing_backslash():
    html, _ = render("\\" + escape_markup("*a* [b](https://evil.example)"))
    assert "<em>" not in html and "<a" not in html
    assert html == "<p>\\*a* [b](https://evil.example)</p>"


def test_private_use_characters_in_values_cannot_forge_literals():
    forged = chr(0xE000 + ord("<"))
    assert escape_markup(forged) == "\ufffd"


def test_escape_markup_leaves_plain_values_alone():
    assert escape_markup("Camille Durand, Lyon 3e") == "Camille Durand, Lyon 3e"


def test_escaped_value_inside_a_link_url_is_restored():
    html = to_html("[portal](" + escape_markup("https://portal.example.org/my-devices_(2)") + ")")
    assert html == '<p><a href="https://portal.example.org/my-devices_(2)">portal</a></p>'


def test_escaped_value_cannot_smuggle_a_javascript_url_into_a_link():
    html = to_html("[portal](" + escape_markup("javascript:alert(1)") + ")")
    assert html == "<p>portal</p>"


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://portal.example.org", True),
        ("http://a.example/x?y#z", True),
        ("mailto:someone@example.org", True),
        ("mailto:someone", False),
        ("javascript:alert(1)", False),
        ("https://a.example/ x", False),
        (" https://a.example", False),
        ("https://a@evil.example", False),
        ("https://user:pass@evil.example/x", False),
        ("https://portal.example.org/@agent", True),
    ],
)
def test_is_safe_url(url, safe):
    assert is_safe_url(url) is safe


def test_find_unsafe_links_reports_lines():
    source = "ok [a](https://a.example)\n\\[b](javascript:x)\n[c](javascript:alert(1))\n[d](data:x)"
    assert find_unsafe_links(source) == [(3, "javascript:alert(1"), (4, "data:x")]


def test_links_with_credentials_before_the_host_are_reported_like_javascript():
    source = "Voir [le portail](https://portail.example.org@evil.example)\net [ici](https://a@evil.example) ou\n" \
             "[là](https://portail.example.org/@agent)"
    assert find_unsafe_links(source) == [(1, "https://portail.example.org@evil.example"),
                                         (2, "https://a@evil.example")]


@pytest.mark.parametrize("source", ["[" * 20_000, "[a](" * 5_000, "[a" * 10_000])
def test_finding_unsafe_links_is_linear(source):
    # A regular expression retried at every `[` took 2.5-3.8 s on these 20,000 characters.
    import time

    start = time.process_time()
    assert find_unsafe_links(source) == []
    assert time.process_time() - start < 0.5


def test_finding_unsafe_links_on_tricky_lines():
    source = "[a [b](javascript:x) [](data:y) [c]]\n(javascript:z) [d](e(f) g) [h](https://ok.example) [i](ftp://x"
    assert find_unsafe_links(source) == [(1, "javascript:x"), (2, "e(f")]  # an unended URL is checked at render


def test_unbalanced_delimiters_are_linear():
    # Pathological input must not go quadratic: each delimiter is handled once.
    import time

    source = " ".join(["*a"] * 20_000 + ["[b"] * 20_000 + ["]c"] * 200)
    start = time.perf_counter()
    html = to_html(source)
    assert time.perf_counter() - start < 2
    assert "<em>" not in html


def test_render_returns_markup():
    html, text = render("x")
    assert isinstance(html, markup.Markup)
    assert isinstance(text, str)
