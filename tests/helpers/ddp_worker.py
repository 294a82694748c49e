"""Train under torchrun and save this rank's final parameters, for tests/test_ddp.py.

Usage: torchrun --nproc_per_node 2 tests/helpers/ddp_worker.py OUT_DIR
"""

import os
import sys
from pathlib import Path

import torch

from share_neuro.training.loop import TrainRequest, train


def main():
    out_dir = Path(sys.argv[1])
    rank = int(os.environ["RANK"])

    request = TrainRequest(dataset="basicmotions", preset="tiny", max_steps=4,
                           out=out_dir / "model.pt", metrics_json=out_dir / "metrics.json",
                           ddp=True, threads=1, progress=False)
    result = train(request)

    torch.save({"final": result.final_state_dict, "best": result.state_dict,
                "metrics": result.metrics}, out_dir / f"rank{rank}.pt")


if __name__ == "__main__":
    main()
