"""examples/uea_paper_sets.py without the UEA files: one clear message, exit status 2, within seconds."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "uea_paper_sets.py"


def run_example(*arguments) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, arguments)], capture_output=True, text=True,
                          timeout=120)


def test_uea_empty_data_dir_names_file(tmp_path):
    data_dir = tmp_path / "uea"
    data_dir.mkdir()
    result = run_example("--dataset", "selfregulationscp1", "--data-dir", data_dir, "--out", tmp_path / "run")

    assert result.returncode == 2, result.stderr
    assert "SelfRegulationSCP1_TRAIN.ts not found" in result.stderr
    assert "No stage has completed yet" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "run" / "model.pt").exists()


@pytest.mark.skipif(importlib.util.find_spec("aeon") is not None,
                    reason="with aeon installed the script downloads EigenWorms instead of failing")
def test_uea_without_data_dir_fails_offline(tmp_path):
    result = run_example("--out", tmp_path / "run")

    assert result.returncode == 2, result.stderr
    assert "EigenWorms_TRAIN.ts" in result.stderr
    assert "--data-dir" in result.stderr
    assert "Traceback" not in result.stderr
