"""French elision and contraction before a name, checked with the 28 communes of the metropolis, in code and
through the translations (templates and Python code alike)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from flask import render_template_string
from flask_babel import force_locale, gettext, ngettext

from portal.wording import elide_placeholders, with_preposition

COMMUNES = Path(__file__).resolve().parents[2] / "portal" / "org" / "data" / "communes.csv"
#: What French writes, commune by commune; the others take a plain "de".
ELIDED = {
    "Ambarès-et-Lagrave": "d’Ambarès-et-Lagrave",
    "Ambès": "d’Ambès",
    "Artigues-près-Bordeaux": "d’Artigues-près-Bordeaux",
    "Eysines": "d’Eysines",
    "Le Bouscat": "du Bouscat",
    "Le Haillan": "du Haillan",
    "Le Taillan-Médoc": "du Taillan-Médoc",
}


def _communes() -> list[str]:
    with COMMUNES.open(encoding="utf-8") as handle:
        return [row["name"] for row in csv.DictReader(handle)]


def test_de_before_each_of_the_28_communes():
    names = _communes()
    assert len(names) == 28
    for name in names:
        assert with_preposition("de", name) == ELIDED.get(name, f"de {name}"), name
    assert with_preposition("de", "Villenave-d'Ornon") == "de Villenave-d'Ornon"


@pytest.mark.parametrize(
    ("preposition", "name", "expected"),
    [
        ("à", "Le Bouscat", "au Bouscat"),
        ("à", "Les Eyzies", "aux Eyzies"),
        ("à", "Eysines", "à Eysines"),
        ("de", "Les Eyzies", "des Eyzies"),
        ("De", "Eysines", "D’Eysines"),
        ("de", "EliteBook 840", "d’EliteBook 840"),
        ("de", "HP EliteBook", "de HP EliteBook"),  # an "h" is aspirated in capitals
        ("de", "Hélène Roux", "d’Hélène Roux"),  # a mute "h"
        ("de", "Huawei P30", "de Huawei P30"),  # an aspirated one
        ("de", "Heavy 15", "de Heavy 15"),  # a model name
        ("le", "EliteBook", "l’EliteBook"),
        ("de", "La Teste", "de La Teste"),
        ("de", "Lesparre", "de Lesparre"),
        ("de", "Ülm", "d’Ülm"),
    ],
)
def test_each_preposition(preposition, name, expected):
    assert with_preposition(preposition, name) == expected


def test_only_a_placeholder_after_the_preposition_changes():
    text, values = elide_placeholders("Hôtel de ville de %(commune)s, %(commune)s", {"commune": "Eysines"})
    assert text % values == "Hôtel de ville d’Eysines, Eysines"
    assert elide_placeholders("%(n)s de %(m)d", {"n": "a", "m": 1}) == ("%(n)s de %(m)d", {"n": "a", "m": 1})
    assert elide_placeholders("Model %(x)s", {"x": "Alpha"})[0] == "Model %(x)s"  # "le" inside a word


def test_translations_elide_in_python_and_in_templates(app):
    with app.test_request_context("/"), force_locale("fr"):
        assert gettext("Your request for %(item)s has been approved.", item="EliteBook 840") == (
            "Votre demande d’EliteBook 840 a été acceptée."
        )
        assert (
            ngettext(
                "%(num)d collection point, nearest to %(place)s first",
                "%(num)d collection points, nearest to %(place)s first",
                3,
                place="Le Bouscat",
            )
            == "3 points de collecte, les plus proches du Bouscat d’abord"
        )
        html = render_template_string("{{ _('Request of %(name)s approved.', name=who) }}", who="Ana <b>")
        assert html == "Demande d’Ana &lt;b&gt; acceptée."
        with force_locale("en"):
            assert gettext("Your request for %(item)s has been approved.", item="EliteBook") == (
                "Your request for EliteBook has been approved."
            )
