"""Every export command: a path it cannot write is one line of error, never a traceback; `-` is the standard
output; the file written reads back as CSV (or GeoJSON)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

EXPORTS = {
    "catalogue": ["catalogue", "export"],
    "budgets": ["budgets", "export", "2026"],
    "services": ["services", "export", "services"],
    "collection points": ["collection-points", "export"],
    "collection points (GeoJSON)": ["collection-points", "export", "--format", "geojson"],
}


@pytest.mark.parametrize("command", EXPORTS.values(), ids=EXPORTS.keys())
def test_an_export_to_a_missing_folder_is_one_line_of_error(app, tmp_path: Path, command):
    target = tmp_path / "missing" / "out.csv"
    result = app.test_cli_runner().invoke(args=[*command, str(target)])
    assert result.exit_code == 1, result.output
    assert f"Error: cannot write {target}: No such file or directory" in result.output
    assert "Traceback" not in result.output and not target.exists()


@pytest.mark.parametrize("command", EXPORTS.values(), ids=EXPORTS.keys())
def test_an_export_writes_its_file_or_the_standard_output(app, tmp_path: Path, command):
    target = tmp_path / "out.csv"
    written = app.test_cli_runner().invoke(args=[*command, str(target)])
    assert written.exit_code == 0, written.output
    text = target.read_text(encoding="utf-8-sig")
    printed = app.test_cli_runner().invoke(args=[*command, "-"])
    assert printed.exit_code == 0 and text.splitlines()[0] in printed.output
    if "geojson" in command:
        assert json.loads(text)["type"] == "FeatureCollection"
    else:
        assert len(next(csv.reader(text.splitlines()))) > 2  # a header of columns


def test_a_budget_year_out_of_range_is_a_usage_error(app, tmp_path: Path):
    result = app.test_cli_runner().invoke(args=["budgets", "export", "99999999999999999999", str(tmp_path / "b.csv")])
    assert result.exit_code == 2 and "is not in the range 2000<=x<=2100" in result.output
