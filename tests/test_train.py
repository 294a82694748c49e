"""Training: early stopping, normalisation, atomic outputs and short real training runs."""

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from share_neuro.training.early_stopping import EarlyStopping
from share_neuro.training.files import write_atomic
from share_neuro.training.normalization import apply_normalization, fit_normalization
from share_neuro.training.targets import fit_target_scaling, scale_targets

torch = pytest.importorskip("torch")

CLASSIFICATION_KEYS = ("test", "val", "train_steps", "wall_time_s", "history")


# Early stopping


def test_early_stopping_counts_evaluations():
    stopper = EarlyStopping(patience=2, mode="max")

    assert stopper.update(0.5, step=10)
    assert not stopper.update(0.4, step=20)
    assert not stopper.should_stop
    assert not stopper.update(0.5, step=30)
    assert stopper.should_stop
    assert stopper.best == 0.5
    assert stopper.best_step == 10


def test_early_stopping_improvement_resets():
    stopper = EarlyStopping(patience=2, mode="max")

    stopper.update(0.5, step=1)
    stopper.update(0.4, step=2)
    assert stopper.update(0.6, step=3)
    assert stopper.evaluations_without_improvement == 0
    stopper.update(0.6, step=4)
    assert not stopper.should_stop
    assert stopper.best_step == 3


def test_early_stopping_min_mode():
    stopper = EarlyStopping(patience=1, mode="min")

    assert stopper.update(2.0, step=1)
    assert stopper.update(1.0, step=2)
    assert not stopper.update(1.5, step=3)
    assert stopper.should_stop
    assert stopper.best == 1.0


def test_early_stopping_tie_break_on_loss():
    stopper = EarlyStopping(patience=5, mode="max")

    stopper.update(0.75, step=1, tie_break=0.9)
    assert stopper.update(0.75, step=2, tie_break=0.8)
    assert not stopper.update(0.75, step=3, tie_break=0.85)
    assert stopper.best_step == 2


def test_early_stopping_nan_never_improves():
    stopper = EarlyStopping(patience=1, mode="min")

    assert not stopper.update(math.nan, step=1)
    assert stopper.best is None
    assert stopper.should_stop


def test_early_stopping_rejects_bad_settings():
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(patience=1, mode="largest")


# Normalisation and target scaling


def test_normalization_per_channel():
    x = np.zeros((2, 3, 2), dtype=np.float32)
    x[..., 0] = [[1, 2, 3], [4, 5, 6]]
    x[..., 1] = 7.0

    statistics = fit_normalization(x)

    assert statistics["mean"] == pytest.approx([3.5, 7.0])
    assert statistics["std"] == pytest.approx([np.std([1, 2, 3, 4, 5, 6]), 1.0])
    normalised = apply_normalization(x, statistics)
    assert normalised.dtype == np.float32
    assert normalised[..., 0].mean() == pytest.approx(0.0, abs=1e-6)
    assert normalised[..., 0].std() == pytest.approx(1.0, abs=1e-6)
    assert np.all(normalised[..., 1] == 0.0)


def test_normalization_disabled_is_identity():
    x = np.random.default_rng(0).normal(5.0, 3.0, size=(4, 10, 3)).astype(np.float32)

    statistics = fit_normalization(x, enabled=False)

    assert statistics == {"mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0]}
    assert np.array_equal(apply_normalization(x, statistics), x)


def test_target_scaling_into_tanh_range():
    y = np.array([0.9, 25.0, 49.1], dtype=np.float32)

    scaling = fit_target_scaling(y)
    scaled = scale_targets(y, scaling)

    assert scaled.min() == pytest.approx(-0.8, abs=1e-6)
    assert scaled.max() == pytest.approx(0.8, abs=1e-6)


def test_target_scaling_keeps_unit_range():
    y = np.array([-1.0, 0.2, 1.0], dtype=np.float32)

    assert fit_target_scaling(y) == {"center": 0.0, "half_range": 1.0}


# Atomic writes


def test_write_atomic_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "model.pt"

    def failing_write(temporary):
        with open(temporary, "w") as handle:
            handle.write("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, failing_write)

    assert list(tmp_path.iterdir()) == []


def test_write_atomic_keeps_old_file_on_error(tmp_path):
    target = tmp_path / "metrics.json"
    target.write_text("old")

    def failing_write(temporary):
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomic(target, failing_write)

    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


# Short real training runs


def run_cli(arguments):
    from share_neuro.cli import main

    return CliRunner().invoke(main, ["train", *arguments], catch_exceptions=False)


def test_tiny_basicmotions_checkpoint(tmp_path):
    from share_neuro.data import load_dataset
    from share_neuro.model.checkpoint import load_model

    out = tmp_path / "model.pt"
    metrics_path = tmp_path / "metrics.json"
    plot_path = tmp_path / "curve.png"
    result = run_cli(["basicmotions", "--preset", "tiny", "--max-steps", "6", "--out", str(out),
                      "--metrics-json", str(metrics_path), "--plot", str(plot_path),
                      "--threads", "1", "--no-progress"])
    assert result.exit_code == 0, result.output

    metrics = json.loads(metrics_path.read_text())
    for key in CLASSIFICATION_KEYS:
        assert key in metrics
    assert 0.0 <= metrics["test"]["accuracy"] <= 1.0
    assert 0.0 <= metrics["val"]["accuracy"] <= 1.0
    assert metrics["train_steps"] == 6
    assert [entry["step"] for entry in metrics["history"]] == [2, 4, 6]
    for entry in metrics["history"]:
        assert {"step", "loss", "val_accuracy", "val_loss"} <= set(entry)
    assert plot_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    checkpoint = torch.load(out, weights_only=True)
    assert checkpoint["format"] == "share-neuro-checkpoint"
    assert checkpoint["version"] == 1
    assert checkpoint["dataset"] == "basicmotions"
    assert len(checkpoint["normalization"]["mean"]) == 6
    assert checkpoint["metrics"]["test"] == metrics["test"]
    assert checkpoint["history"] == metrics["history"]

    # The stored weights are the best ones: they reproduce the recorded test accuracy.
    model, loaded = load_model(out)
    dataset = load_dataset("basicmotions", seed=2345)
    mean = torch.tensor(loaded["normalization"]["mean"], dtype=torch.float32)
    std = torch.tensor(loaded["normalization"]["std"], dtype=torch.float32)
    with torch.no_grad():
        logits = model((torch.from_numpy(dataset.test.X) - mean) / std)
    accuracy = (logits.argmax(-1).numpy() == dataset.test.y).mean()
    assert accuracy == pytest.approx(metrics["test"]["accuracy"])


def test_training_is_seeded(tmp_path):
    from share_neuro.training.loop import TrainRequest, train

    results = [train(TrainRequest(dataset="basicmotions", preset="tiny", max_steps=4, seed=3456,
                                  progress=False, threads=1)) for _ in range(2)]

    def without_times(history):
        return [{key: value for key, value in entry.items() if key != "elapsed_s"}
                for entry in history]

    assert without_times(results[0].history) == without_times(results[1].history)
    for name, tensor in results[0].final_state_dict.items():
        assert torch.equal(tensor, results[1].final_state_dict[name])


def test_nan_npz_rejected_before_training(tmp_path, monkeypatch):
    x = np.random.default_rng(0).normal(size=(40, 20, 2)).astype(np.float32)
    x[3, 5, 1] = np.nan
    y = np.arange(40, dtype=np.int64) % 2
    data_file = tmp_path / "bad.npz"
    np.savez(data_file, X=x, y=y)

    def build_model_called(*args, **kwargs):
        raise AssertionError("the model was built although the data is invalid")

    monkeypatch.setattr("share_neuro.model.build.build_model", build_model_called)
    out = tmp_path / "model.pt"
    from share_neuro.cli import main

    result = CliRunner().invoke(main, ["train", str(data_file), "--preset", "tiny",
                                       "--out", str(out)])

    assert result.exit_code == 2
    assert "NaN" in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.npz"]


def test_unknown_preset_exits_2(tmp_path):
    from share_neuro.cli import main

    result = CliRunner().invoke(main, ["train", "basicmotions", "--preset", "huge",
                                       "--out", str(tmp_path / "model.pt")])

    assert result.exit_code == 2
    assert "Unknown preset 'huge'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_interrupt_leaves_no_checkpoint(tmp_path, monkeypatch):
    from share_neuro.training import loop

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(loop, "evaluate", interrupted)
    out = tmp_path / "model.pt"
    request = loop.TrainRequest(dataset="basicmotions", preset="tiny", out=out,
                                metrics_json=tmp_path / "metrics.json", progress=False)

    with pytest.raises(KeyboardInterrupt):
        loop.train(request)

    assert list(tmp_path.iterdir()) == []


def test_tecator_regression(tmp_path):
    from share_neuro.model.checkpoint import load

    out = tmp_path / "tecator.pt"
    metrics_path = tmp_path / "metrics.json"
    result = run_cli(["tecator", "--max-steps", "4", "--out", str(out),
                      "--metrics-json", str(metrics_path), "--threads", "1", "--no-progress"])
    assert result.exit_code == 0, result.output

    metrics = json.loads(metrics_path.read_text())
    assert metrics["metric"] == "mse"
    assert metrics["test"]["mse"] > 0.0
    assert math.isfinite(metrics["val"]["mse"])
    assert "val_mse" in metrics["history"][-1]

    checkpoint = load(out)
    assert checkpoint["config"]["task"] == "regression"
    scaling = checkpoint["target_scaling"]
    # Fat percentages lie far outside tanh's range, so they are scaled.
    assert scaling["half_range"] > 1.0
    # The reported MSE is in the dataset's units: the scaled loss times half_range^2.
    assert metrics["test"]["mse"] == pytest.approx(
        metrics["test"]["loss"] * scaling["half_range"] ** 2)


def test_write_atomic_uses_umask(tmp_path):
    import os

    target = tmp_path / "out.json"
    previous = os.umask(0o022)
    try:
        write_atomic(target, lambda temporary: open(temporary, "w").close())
    finally:
        os.umask(previous)

    assert target.stat().st_mode & 0o777 == 0o644
