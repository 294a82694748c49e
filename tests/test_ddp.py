"""DistributedDataParallel: two CPU ranks (gloo) under torchrun on real BasicMotions data."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

HELPERS = Path(__file__).parent / "helpers"


def torchrun(arguments, tmp_path):
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node", "2", *arguments]
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True,
                          text=True, timeout=300)


def test_two_ranks_agree(tmp_path):
    completed = torchrun([str(HELPERS / "ddp_worker.py"), str(tmp_path)], tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]

    ranks = [torch.load(tmp_path / f"rank{rank}.pt", weights_only=True) for rank in (0, 1)]
    assert (tmp_path / "model.pt").is_file()
    assert (tmp_path / "metrics.json").is_file()

    final0, final1 = ranks[0]["final"], ranks[1]["final"]
    assert final0.keys() == final1.keys()
    for name in final0:
        assert torch.equal(final0[name], final1[name]), f"parameter {name} differs between ranks"

    assert ranks[0]["metrics"]["world_size"] == 2
    assert ranks[0]["metrics"]["train_steps"] == ranks[1]["metrics"]["train_steps"] == 4
    assert ranks[0]["metrics"]["val"] == ranks[1]["metrics"]["val"]

    checkpoint = torch.load(tmp_path / "model.pt", weights_only=True)
    for name, tensor in checkpoint["state_dict"].items():
        assert torch.equal(tensor, ranks[0]["best"][name])


def test_distributed_module_entry_point(tmp_path):
    out = tmp_path / "model.pt"
    metrics_path = tmp_path / "metrics.json"
    completed = torchrun(["-m", "share_neuro.training.distributed", "basicmotions",
                          "--preset", "tiny", "--max-steps", "4", "--out", str(out),
                          "--metrics-json", str(metrics_path), "--no-progress"], tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]

    metrics = json.loads(metrics_path.read_text())
    assert metrics["world_size"] == 2
    assert metrics["train_steps"] == 4
    assert out.is_file()
    # Only rank 0 writes: no temporary files from a second writer are left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json", "model.pt"]
    assert completed.stdout.count("basicmotions: test accuracy") == 1


def test_ddp_flag_outside_torchrun(tmp_path):
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")}
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "share-neuro"), "train", "basicmotions", "--preset", "tiny",
         "--ddp", "--out", str(tmp_path / "model.pt")],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120)

    assert completed.returncode == 2
    assert "torchrun" in completed.stderr
    assert not (tmp_path / "model.pt").exists()
