"""The accessibility and eco-design statements: public, in both languages, with the figures of the committed
EcoIndex file, and that file in step with the URL map."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal

import pytest

from portal.main.statements import (
    ECOINDEX_FILE,
    NOT_MEASURED_REASONS,
    EcoIndexReport,
    NotMeasured,
    PageMeasure,
    ecoindex_report,
    report_from_json,
    write_ecoindex_report,
)
from tests.conftest import csrf_token
from tests.e2e.ecoindex_file import REFRESH_COMMAND, page_endpoints

ROW = re.compile(r'<tr><th scope="row">([^<]*)</th><td>[^<]*</td><td>([^<]*)</td><td class="num">([^<]*)</td>')


def _text(response) -> str:  # noqa: ANN001
    return html.unescape(response.get_data(as_text=True))


def _in_english(client) -> None:  # noqa: ANN001
    client.post("/language", data={"locale": "en", "next": "/accessibility", "csrf_token": csrf_token(client)})


def test_accessibility_statement_is_public_and_follows_the_rgaa_model_in_french(client):
    response = client.get("/accessibility")
    assert response.status_code == 200
    page = _text(response)
    assert "<h1>Déclaration d’accessibilité</h1>" in page
    for section in ("État de conformité", "Résultats des tests", "Contenus non accessibles",
                    "Établissement de cette déclaration", "Retour d’information et contact", "Voies de recours"):
        assert f">{section}</h2>" in page, section
    # No audit yet: the RGAA's word for that is "non conforme", said as such.
    assert "Le portail du numérique responsable est non conforme avec le RGAA, version 4.1." in page
    assert "Aucun audit RGAA complet" in page
    report = ecoindex_report()
    assert f"axe-core {report.tools['axe_core']} vérifie chaque page du portail dans Chromium " \
           f"({len(report.pages)} pages" in page
    assert "La carte des points de collecte" in page  # the exempted map, with its accessible list
    assert "Cette déclaration a été établie le 28 novembre 2026." in page
    assert 'href="mailto:accessibilite-numerique@bordeaux-metropole.example"' in page
    assert 'href="https://formulaire.defenseurdesdroits.fr/"' in page
    assert "Défenseur des droits<br>Libre réponse 71120<br>75342 Paris CEDEX 07" in page


def test_accessibility_statement_in_english(client):
    _in_english(client)
    page = _text(client.get("/accessibility"))
    assert '<html lang="en">' in page
    assert "<h1>Accessibility statement</h1>" in page
    for section in ("Compliance status", "Test results", "Non-accessible content", "Preparation of this statement",
                    "Feedback and contact", "Remedies"):
        assert f">{section}</h2>" in page, section
    assert "The responsible digital portal is not compliant with the RGAA, version 4.1." in page
    assert "This statement was drawn up on November 28, 2026." in page
    assert "Libre réponse 71120" in page  # a postal address stays as the post office reads it


def test_the_contact_address_comes_from_the_configuration(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_ACCESSIBILITY_CONTACT", "a11y@example.org")
    page = _text(client.get("/accessibility"))
    assert '<a href="mailto:a11y@example.org">a11y@example.org</a>' in page


def _rows_of_every_table_page(client) -> list[tuple[str, str, str]]:  # noqa: ANN001
    rows, number = [], 1
    while True:
        page = _text(client.get(f"/eco-design?page={number}"))
        rows += ROW.findall(page)
        if 'rel="next"' not in page:
            return rows
        assert f'href="/eco-design?page={number + 1}#measures"' in page
        number += 1


def test_eco_design_statement_shows_a_row_for_each_page_of_the_ecoindex_file(client):
    report = ecoindex_report()
    response = client.get("/eco-design")
    assert response.status_code == 200
    page = _text(response)
    assert "<h1>Déclaration d’écoconception</h1>" in page
    for section in ("Comment le portail reste léger", "Mesures", "Méthode", "L’empreinte du portail lui-même"):
        assert f">{section}</h2>" in page, section
    # The source of the figures: the date of the run, the tools, the method and its reference.
    assert f"EcoIndex de chaque page, mesuré le {report.measured_on.day}" in page
    assert f"ecoindex-compute {report.tools['ecoindex_compute']}" in page
    assert '<a href="http://www.ecoindex.fr/">' in page
    assert "EcoIndex = 100 − 5 × (3 × Q(éléments du DOM) + 2 × Q(requêtes) + Q(ko transférés)) ÷ 6" in page
    assert "<caption>" in page and 'scope="col"' in page

    shown = _rows_of_every_table_page(client)
    assert [path for path, _, _ in shown] == [row.path for row in report.pages]
    for (path, score, nodes), row in zip(shown, report.pages, strict=True):
        assert score == f"{row.grade} ({row.score}/100)", path
        assert nodes.replace("\u202f", "").replace("\xa0", "") == str(row.dom_nodes), path
    # The table is paginated: a statement of every page stays light itself.
    assert len(ROW.findall(page)) <= 20


def test_eco_design_statement_in_english(client):
    _in_english(client)
    page = _text(client.get("/eco-design"))
    assert "<h1>Eco-design statement</h1>" in page
    assert "EcoIndex = 100 − 5 × (3 × Q(DOM elements) + 2 × Q(requests) + Q(kB transferred)) ÷ 6" in page
    assert "The portal does not count page views, so it publishes no yearly footprint" in page


@pytest.mark.parametrize("path", ["/login", "/accessibility", "/eco-design"])
def test_every_page_footer_links_both_statements_without_login(client, path):
    page = _text(client.get(path))
    assert '<a href="/accessibility">Accessibilité : non conforme</a>' in page
    assert '<a href="/eco-design">Écoconception</a>' in page


def test_the_ecoindex_file_covers_every_page_of_the_url_map(app):
    report = ecoindex_report()
    recorded = [row.endpoint for row in report.pages] + [item.endpoint for item in report.not_measured]
    current = page_endpoints(app)
    how = f"portal/main/data/ecoindex.json is out of date: refresh it with `{REFRESH_COMMAND}` (a few minutes)"
    assert sorted(current - set(recorded)) == [], f"pages not in the file. {how}"
    assert sorted(set(recorded) - current) == [], f"pages in the file that no longer exist. {how}"
    assert len(recorded) == len(set(recorded)), f"an address is in the file twice. {how}"
    adapter = app.url_map.bind("localhost")
    for row in report.pages:
        assert adapter.match(row.path, method="GET")[0] == row.endpoint, f"{row.path} moved. {how}"
    assert {item.reason for item in report.not_measured} <= set(NOT_MEASURED_REASONS)


def test_the_ecoindex_file_reads_back_what_was_written(tmp_path):
    report = EcoIndexReport(
        measured_on=date(2026, 11, 28),
        method={"name": "EcoIndex"},
        tools={"browser": "Chromium 1"},
        pages=(PageMeasure("main.help_page", "/help", "employee", 180, 4, Decimal("21.3"), 91, "A", Decimal("1.18")),),
        not_measured=(NotMeasured("catalogue.admin_items_export", "not_html"),),
    )
    write_ecoindex_report(report, tmp_path / "ecoindex.json")
    assert report_from_json((tmp_path / "ecoindex.json").read_text(encoding="utf-8")) == report
    assert ECOINDEX_FILE.name == "ecoindex.json" and ECOINDEX_FILE.parent.name == "data"
