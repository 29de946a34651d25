"""Unit tests for portal.locator.matching (pure: no app, no database)."""

from types import SimpleNamespace

import pytest

from portal.locator.matching import (
    CommuneRecord,
    Match,
    MatchKind,
    normalise,
    search_communes,
    suggestions,
)


def _c(insee, name, postcodes, lat, lon):
    return {"insee": insee, "name": name, "postcodes": postcodes, "lat": lat, "lon": lon}


# The 28 communes of Bordeaux Métropole, copied from the project's reference data (communes.csv:
# La Poste, Base officielle des codes postaux, Licence Ouverte 2.0); lat/lon are commune centroids.
COMMUNES = [
    _c("33003", "Ambarès-et-Lagrave", ["33440"], 44.9445, -0.5006),
    _c("33004", "Ambès", ["33810"], 45.0115, -0.5483),
    _c("33013", "Artigues-près-Bordeaux", ["33370"], 44.8603, -0.4904),
    _c("33032", "Bassens", ["33530"], 44.9084, -0.5259),
    _c("33039", "Bègles", ["33130"], 44.8016, -0.5478),
    _c("33056", "Blanquefort", ["33290"], 44.9231, -0.6123),
    _c("33063", "Bordeaux", ["33000", "33100", "33200", "33300", "33800"], 44.8572, -0.5737),
    _c("33065", "Bouliac", ["33270"], 44.8161, -0.5049),
    _c("33069", "Le Bouscat", ["33110"], 44.8661, -0.6021),
    _c("33075", "Bruges", ["33520"], 44.8889, -0.6004),
    _c("33096", "Carbon-Blanc", ["33560"], 44.9025, -0.5012),
    _c("33119", "Cenon", ["33150"], 44.8548, -0.5210),
    _c("33162", "Eysines", ["33320"], 44.8797, -0.6479),
    _c("33167", "Floirac", ["33270"], 44.8338, -0.5206),
    _c("33192", "Gradignan", ["33170"], 44.7709, -0.6161),
    _c("33200", "Le Haillan", ["33185"], 44.8691, -0.6844),
    _c("33249", "Lormont", ["33310"], 44.8766, -0.5198),
    _c("33273", "Martignas-sur-Jalle", ["33127"], 44.8450, -0.7955),
    _c("33281", "Mérignac", ["33700"], 44.8323, -0.6817),
    _c("33312", "Parempuyre", ["33290"], 44.9542, -0.5808),
    _c("33318", "Pessac", ["33600"], 44.7916, -0.6763),
    _c("33376", "Saint-Aubin-de-Médoc", ["33160"], 44.9333, -0.7485),
    _c("33434", "Saint-Louis-de-Montferrand", ["33440"], 44.9583, -0.5331),
    _c("33449", "Saint-Médard-en-Jalles", ["33160"], 44.8833, -0.7842),
    _c("33487", "Saint-Vincent-de-Paul", ["33440"], 44.9736, -0.4814),
    _c("33519", "Le Taillan-Médoc", ["33320"], 44.9112, -0.6808),
    _c("33522", "Talence", ["33400"], 44.8061, -0.5911),
    _c("33550", "Villenave-d'Ornon", ["33140"], 44.7732, -0.5582),
]
RECORDS = [CommuneRecord(c["insee"], c["name"], tuple(c["postcodes"])) for c in COMMUNES]
NAMES = [c["name"] for c in COMMUNES]


def names(query, communes=RECORDS, **kwargs):
    return [match.commune.name for match in search_communes(query, communes, **kwargs)]


def first(query):
    return search_communes(query, RECORDS)[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bègles", "begles"),
        ("BÈGLES", "begles"),
        ("Saint-Médard-en-Jalles", "saint medard en jalles"),
        ("st medard", "saint medard"),
        ("St. Médard", "saint medard"),
        ("Ste-Eulalie", "sainte eulalie"),
        ("Villenave-d'Ornon", "villenave d ornon"),
        ("Villenave d’Ornon", "villenave d ornon"),
        ("  Le   Bouscat ", "le bouscat"),
        ("Œuilly", "oeuilly"),
        ("", ""),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("query", ["begles", "Bègles", "BÈGLES", "  bEgLeS  ", "Begles!"])
def test_exact_name_any_case_and_accents(query):
    match = first(query)
    assert match == Match(RECORDS[4], MatchKind.EXACT, 1.0)
    assert names(query) == ["Bègles"]


def test_prefix_name():
    assert names("Begle") == ["Bègles"]
    assert first("Begle").kind == MatchKind.PREFIX


@pytest.mark.parametrize(
    "query",
    [
        "st medard",
        "St Médard",
        "saint medard",
        "saint-medard",
        "Saint-Médard",
        "st-medard-en-jalles",
        "ST MEDARD",
    ],
)
def test_saint_medard_spellings(query):
    assert names(query) == ["Saint-Médard-en-Jalles"]


def test_full_name_with_hyphens_or_apostrophes_ignored():
    assert first("saint medard en jalles").kind == MatchKind.EXACT
    assert first("villenave d ornon").commune.name == "Villenave-d'Ornon"
    assert first("villenave dornon").kind == MatchKind.EXACT
    assert first("Villenave d’Ornon").kind == MatchKind.EXACT


def test_name_without_article():
    assert first("bouscat").commune.name == "Le Bouscat"
    assert first("bouscat").kind == MatchKind.EXACT
    assert first("taillan").commune.name == "Le Taillan-Médoc"


def test_saint_prefix_returns_the_four_saints_sorted():
    assert names("st") == [
        "Saint-Aubin-de-Médoc",
        "Saint-Louis-de-Montferrand",
        "Saint-Médard-en-Jalles",
        "Saint-Vincent-de-Paul",
    ]


def test_word_inside_name():
    match = first("medard")
    assert (match.commune.name, match.kind) == ("Saint-Médard-en-Jalles", MatchKind.WORD)
    assert set(names("jalle")) == {"Martignas-sur-Jalle", "Saint-Médard-en-Jalles"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Merignak", "Mérignac"),
        ("Talance", "Talence"),
        ("begels", "Bègles"),
        ("Pessak", "Pessac"),
        ("Gradignant", "Gradignan"),
        ("Blanquefor", "Blanquefort"),
        ("st medar", "Saint-Médard-en-Jalles"),
    ],
)
def test_small_typos(query, expected):
    match = first(query)
    assert match.commune.name == expected
    assert match.kind in (MatchKind.FUZZY, MatchKind.PREFIX)


def test_ranking_exact_before_fuzzy():
    # "haillan" is exactly Le Haillan (without its article) and one letter away from Le Taillan-Médoc.
    result = search_communes("haillan", RECORDS)
    assert [(m.commune.name, m.kind) for m in result] == [
        ("Le Haillan", MatchKind.EXACT),
        ("Le Taillan-Médoc", MatchKind.FUZZY),
    ]
    assert result[1].score < 1.0


def test_postcode_single():
    assert names("33130") == ["Bègles"]
    assert first("33130").kind == MatchKind.EXACT
    assert names("33 130") == ["Bègles"]


@pytest.mark.parametrize("code", ["33000", "33100", "33200", "33300", "33800"])
def test_postcodes_of_bordeaux(code):
    assert names(code) == ["Bordeaux"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("33440", {"Ambarès-et-Lagrave", "Saint-Louis-de-Montferrand", "Saint-Vincent-de-Paul"}),
        ("33270", {"Bouliac", "Floirac"}),
        ("33290", {"Blanquefort", "Parempuyre"}),
        ("33160", {"Saint-Aubin-de-Médoc", "Saint-Médard-en-Jalles"}),
        ("33320", {"Eysines", "Le Taillan-Médoc"}),
    ],
)
def test_shared_postcode_returns_all_communes(code, expected):
    result = search_communes(code, RECORDS)
    assert {m.commune.name for m in result} == expected
    assert all(m.kind == MatchKind.EXACT for m in result)


def test_postcode_prefix_and_unknown_postcode():
    assert set(names("3344")) == {"Ambarès-et-Lagrave", "Saint-Louis-de-Montferrand", "Saint-Vincent-de-Paul"}
    assert first("3344").kind == MatchKind.PREFIX
    assert names("75001") == []
    assert names("3") == []


def test_postcodes_as_string_like_the_orm_row():
    rows = [SimpleNamespace(insee="33063", name="Bordeaux", postcodes="33000 33100 33200 33300 33800")]
    assert names("33800", rows) == ["Bordeaux"]
    record = CommuneRecord.from_row({"insee": "33063", "name": "Bordeaux", "postcodes": "33000 33100"})
    assert record.postcodes == ("33000", "33100")


@pytest.mark.parametrize("query", ["xyzzy", "", "   ", "-'", "Paris", "abc"])
def test_unknown_place_gives_no_match(query):
    assert search_communes(query, RECORDS) == []


def test_limit():
    assert len(search_communes("33", RECORDS)) == 10
    assert len(search_communes("33", RECORDS, limit=None)) == 28
    assert len(search_communes("33", RECORDS, limit=3)) == 3


def test_suggestions_for_bordo_include_bordeaux():
    result = suggestions("Bordo", NAMES)
    assert result[0] == "Bordeaux"
    assert len(result) <= 3


def test_suggestions():
    assert suggestions("Merinyac", NAMES)[0] == "Mérignac"
    assert suggestions("Parempuir", NAMES, n=1) == ["Parempuyre"]
    assert suggestions("xyzzy", NAMES) == []
    assert suggestions("", NAMES) == []
    assert suggestions("Bordo", NAMES, n=0) == []
    assert len(suggestions("saint", NAMES, n=3)) == 3
