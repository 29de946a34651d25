"""`flask estate export-numecoeval DIR --year Y`: NumEcoEval's two files, checked against its column list."""

from __future__ import annotations

import csv
from datetime import date

from portal.estate import numecoeval

# As NumEcoEval documents them (shared data, itsm/README.md), optional columns included.
DOCUMENTED_PHYSICAL = (
    "nomEquipementPhysique;modele;quantite;nomCourtDatacenter;dateAchat;dateRetrait;dureeUsageInterne;"
    "dureeUsageAmont;dureeUsageAval;type;statut;paysDUtilisation;consoElecAnnuelle;utilisateur;nomSourceDonnee;"
    "nomEntite;nbCoeur;modeUtilisation;tauxUtilisation;qualite"
)
DOCUMENTED_ENTITY = "nomEntite;nbCollaborateurs;responsableEntite;responsableNumeriqueResponsable"


def read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_the_export_writes_both_files_with_numecoeval_columns(app, estate, make_asset, tmp_path):
    make_asset(
        category="monitor",
        model_name="Écran inconnu",
        user_id=estate.employee.id,
        acquired_on=date(2020, 5, 4),
        retired_on=date(2025, 3, 1),
        status="recycled",
    )
    make_asset(
        category="laptop",
        user_id=estate.employee.id,
        acquired_on=date(2019, 1, 1),
        retired_on=date(2024, 6, 1),
        status="returned",
    )  # gone before 2025: not exported
    result = app.test_cli_runner().invoke(args=["estate", "export-numecoeval", str(tmp_path / "out"), "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'out' / 'equipementPhysique.csv'}: 2 lines" in result.output

    physical = read(tmp_path / "out" / "equipementPhysique.csv")
    assert ";".join(physical[0]) == DOCUMENTED_PHYSICAL
    rows = {row[0]: dict(zip(physical[0], row, strict=True)) for row in physical[1:]}
    laptop = rows[estate.asset.asset_tag]
    assert (laptop["type"], laptop["statut"], laptop["dateAchat"], laptop["quantite"]) == (
        "Ordinateur portable",
        "In use",
        "2025-01-01",
        "1",
    )
    assert (laptop["consoElecAnnuelle"], laptop["dureeUsageInterne"], laptop["qualite"]) == ("30.0000", "4.00", "HAUTE")
    assert laptop["nomEntite"] == estate.service.code and laptop["paysDUtilisation"] == "France"
    monitor = next(r for r in rows.values() if r["modele"] == "Écran inconnu")
    assert (monitor["statut"], monitor["dateRetrait"], monitor["type"], monitor["qualite"]) == (
        "Retired",
        "2025-03-01",
        "Ecran",
        "BASSE",
    )

    entity = read(tmp_path / "out" / "entite.csv")
    assert ";".join(entity[0]) == DOCUMENTED_ENTITY
    assert [estate.service.code, "1", "", ""] in entity[1:]
    for lines, columns, required in (
        (physical, numecoeval.PHYSICAL_COLUMNS, numecoeval.PHYSICAL_REQUIRED),
        (entity, numecoeval.ENTITY_COLUMNS, numecoeval.ENTITY_REQUIRED),
    ):
        assert numecoeval.problems(lines[0], lines[1:], columns, required) == []


def test_the_check_names_what_numecoeval_would_refuse():
    columns, required = numecoeval.ENTITY_COLUMNS, numecoeval.ENTITY_REQUIRED
    assert numecoeval.problems(["nomEntite"], [["A", 1, "", ""], ["", 2, "", ""], ["B"]], columns, required) == [
        "header differs from NumEcoEval's: nomEntite",
        "line 3: nomEntite is empty",
        "line 4: 1 values, 4 expected",
    ]


def test_an_unwritable_directory_is_said_in_one_line(app, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = app.test_cli_runner().invoke(args=["estate", "export-numecoeval", str(blocker / "sub")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.output.startswith("Error:")
