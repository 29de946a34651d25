"""Every form of every page, found on the pages themselves with the demo data (a form added later is covered
without anyone remembering it), sent by the account that sees it with one hostile value at a time in each text
field: a refusal in words or a success, never a server error. PostgreSQL refuses in the database what SQLite
stores (a null character, a number beyond its column): run on both."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest

from portal.accounts.services import find_user_by_email
from portal.models import db
from tests.conftest import csrf_token
from tests.e2e.test_every_page import ACCOUNTS, _pages

#: One at a time in each text field: a number beyond any column, a negative one, a null character, a text
#: over every length limit, an impossible date.
HOSTILE = ("99999999999999999999", "-1", "a\x00b", "x" * 20_000, "2026-02-30")
#: Forms that end the session or remove what the next forms need.
SKIPPED_ACTIONS = ("logout", "delete", "withdraw", "deactivate", "/language")


class _Forms(HTMLParser):
    """The POST forms of a page: action, and each field with the value the page gives it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = {"method": a.get("method", "get").lower(), "action": a.get("action", ""), "fields": []}
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in a:  # the selected option, else the first
                self._select[1] = a.get("value", "")
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["fields"].append([a["name"], a.get("value", ""), kind])
        elif tag == "select":
            self._select = [a["name"], None, "select"]
            self._form["fields"].append(self._select)
        elif tag == "textarea":
            self._textarea = [a["name"], "", "textarea"]
            self._form["fields"].append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            if self._select is not None and self._select[1] is None:
                self._select[1] = ""
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@pytest.fixture
def demo():
    from portal.demo.services import load_demo

    load_demo()
    db.session.commit()


def test_every_form_answers_hostile_values_without_a_server_error(app, client, demo):
    problems, sent, forms = [], 0, set()
    current = None
    for role, _endpoint, url in _pages(app):
        if role != current:
            client.post("/logout", data={"csrf_token": csrf_token(client)})
            email = f"{ACCOUNTS[role]}@demo.example"
            client.post("/login", data={"email": email, "password": "demo1234", "csrf_token": csrf_token(client)})
            assert find_user_by_email(email) is not None
            current = role
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = urljoin(url, form["action"] or url)
            names = tuple(name for name, _value, _kind in form["fields"])
            if form["method"] != "post" or any(word in action for word in SKIPPED_ACTIONS):
                continue
            if (action, names) in forms:
                continue  # the same form on another page
            forms.add((action, names))
            texts = [
                name for name, _value, kind in form["fields"] if kind not in ("hidden", "select", "checkbox", "radio")
            ]  # noqa: E501
            for name in texts:
                for value in HOSTILE:
                    data = {}
                    for field, given, _kind in form["fields"]:
                        data.setdefault(field, given)
                    data[name] = value
                    answer = client.post(action, data=data)
                    sent += 1
                    if answer.status_code >= 500:
                        problems.append(f"{role} {action} {name}={value[:12]!r}: {answer.status_code}")
    assert len(forms) > 40 and sent > 500, (len(forms), sent)
    assert not problems, "\n".join(problems)
