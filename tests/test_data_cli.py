"""`share-neuro datasets` output."""

import json

from click.testing import CliRunner

from share_neuro.cli import main


def test_table_lists_all_datasets(tmp_path):
    path = tmp_path / "datasets.json"

    result = CliRunner().invoke(main, ["datasets", "--json", str(path)])

    assert result.exit_code == 0, result.output
    for name in ("hapt", "hapt-recordings", "forda", "basicmotions", "tecator", "eigenworms", "ppg-dalia"):
        assert f"\n{name} " in result.output

    rows = json.loads(path.read_text())
    by_name = {row["name"]: row for row in rows}
    assert by_name["forda"]["availability"] == "installed"
    assert by_name["forda"]["offline"] is True
    assert by_name["eigenworms"]["offline"] is False
    assert by_name["eigenworms"]["length"] == 17984


def test_json_into_missing_folder(tmp_path):
    result = CliRunner().invoke(main, ["datasets", "--json", str(tmp_path / "absent" / "d.json")])

    assert result.exit_code == 2
    assert "folder" in result.output
    assert "not found" in result.output
