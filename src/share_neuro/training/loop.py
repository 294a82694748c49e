"""The training loop: data, model, Adam, periodic validation, early stopping, checkpoint."""

from __future__ import annotations

import copy
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from share_neuro.errors import ShareNeuroError
from share_neuro.model.presets import Preset, default_preset_name, get_preset
from share_neuro.training import distributed
from share_neuro.training.early_stopping import EarlyStopping
from share_neuro.training.evaluate import evaluate
from share_neuro.training.files import check_writable_directory
from share_neuro.training.metrics import history_entry, metric_name, write_metrics_json
from share_neuro.training.objective import batch_loss
from share_neuro.training.setup import TrainingData, build_config, prepare_data
from share_neuro.training.saving import save_checkpoint


@dataclass
class TrainRequest:
    """Options of one training run, as `share-neuro train` takes them; None keeps the preset's value."""

    dataset: str
    model: str = "share-ssm"
    preset: str | None = None
    scheme: str | None = None
    seed: int | None = None
    max_steps: int | None = None
    out: Path | None = None
    metrics_json: Path | None = None
    plot: Path | None = None
    data_dir: Path | None = None
    spike_on: str | None = None
    homogeneous: bool = False
    threads: int | None = None
    ddp: bool = False
    progress: bool = True


@dataclass
class TrainResult:
    metrics: dict
    history: list
    config: dict
    state_dict: dict = field(repr=False)  # the best model by validation score
    final_state_dict: dict = field(repr=False)  # the model after the last step
    normalization: dict = field(repr=False)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def resolve_preset(request: TrainRequest) -> Preset:
    preset = get_preset(request.preset or default_preset_name(request.dataset))
    if request.max_steps is not None:
        if request.max_steps < 1:
            raise ShareNeuroError(f"--max-steps must be at least 1, got {request.max_steps}.")
        preset = preset.with_overrides(max_steps=request.max_steps)
    return preset


def train(request: TrainRequest) -> TrainResult:
    """Train one model for `request`; write checkpoint, metrics and plot on rank 0.

    Files are written only after training ends (early stop or the step limit), each
    atomically, so an error or Ctrl-C leaves no partial output.
    """
    preset = resolve_preset(request)
    seed = preset.seeds[0] if request.seed is None else request.seed
    if not 0 <= seed < 2**32:
        raise ShareNeuroError(f"--seed must be in 0 .. 2**32 - 1 (numpy's range), got {seed}.")
    for path, description in ((request.out, "checkpoint"), (request.metrics_json, "metrics JSON"),
                              (request.plot, "plot")):
        if path is not None:
            check_writable_directory(path, description)

    if request.threads is not None:
        if request.threads < 1:
            raise ShareNeuroError(f"--threads must be at least 1, got {request.threads}.")
        torch.set_num_threads(request.threads)

    context = distributed.setup(request.ddp)
    try:
        return _train(request, preset, seed, context)
    finally:
        distributed.teardown(context)


def _train(request: TrainRequest, preset: Preset, seed: int,
           context: distributed.DistributedContext) -> TrainResult:
    seed_everything(seed)
    started = time.perf_counter()
    data = prepare_data(request.dataset, seed, preset, request.data_dir)
    data_seconds = time.perf_counter() - started

    config = build_config(request, preset, data)

    from share_neuro.model.build import build_model

    seed_everything(seed)
    model = build_model(config)
    trained = model
    if context.enabled:
        trained = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=preset.lr,
                                 weight_decay=preset.weight_decay)

    outcome = _run_steps(trained, model, optimizer, data, preset, seed, context,
                         request.progress)
    wall_time = time.perf_counter() - started - data_seconds

    metrics = {
        "dataset": data.dataset.name,
        "task": data.dataset.task,
        "model": config.model,
        "scheme": config.scheme,
        "preset": preset.name,
        "seed": seed,
        "metric": metric_name(data.dataset.task),
        "val": outcome["best_val"],
        "test": outcome["best_test"],
        "best_step": outcome["best_step"],
        "train_steps": outcome["steps"],
        "stop_reason": outcome["stop_reason"],
        "wall_time_s": round(wall_time, 3),
        "data_load_s": round(data_seconds, 3),
        "world_size": context.world_size,
        "torch_threads": torch.get_num_threads(),
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "train_samples": len(data.dataset.train),
        "val_samples": len(data.dataset.val),
        "test_samples": len(data.dataset.test),
    }
    result = TrainResult(metrics=metrics, history=outcome["history"], config=config.to_dict(),
                         state_dict=outcome["best_state"],
                         final_state_dict=copy.deepcopy(model.state_dict()),
                         normalization=data.normalization)

    if context.is_main:
        _write_outputs(request, preset, data, result)
    distributed.barrier(context)
    return result


def _write_outputs(request: TrainRequest, preset: Preset, data: TrainingData,
                   result: TrainResult) -> None:
    if request.out is not None:
        save_checkpoint(request.out, result, data, preset)
    if request.metrics_json is not None:
        write_metrics_json(request.metrics_json, result.metrics, result.history)
    if request.plot is not None:
        from share_neuro.training.plot import plot_training_curve

        plot_training_curve(request.plot, result.history, result.metrics["metric"],
                            f"{result.metrics['model']} on {result.metrics['dataset']} "
                            f"(preset {preset.name}, seed {result.metrics['seed']})")


def _batches(data: TrainingData, batch_size: int, seed: int,
             context: distributed.DistributedContext):
    """Yield (x, y) training batches forever, reshuffled every epoch.

    Under DDP each rank draws its share of every global batch through a
    DistributedSampler, so one step covers `batch_size` series in total.
    """
    dataset = torch.utils.data.TensorDataset(data.train_x, data.train_y)
    if context.enabled:
        sampler = torch.utils.data.distributed.DistributedSampler(
            dataset, num_replicas=context.world_size, rank=context.rank, shuffle=True,
            seed=seed)
        per_rank = max(1, batch_size // context.world_size)
    else:
        generator = torch.Generator().manual_seed(seed)
        sampler = torch.utils.data.RandomSampler(dataset, generator=generator)
        per_rank = batch_size
    loader = torch.utils.data.DataLoader(dataset, batch_size=per_rank, sampler=sampler)

    epoch = 0
    while True:
        if context.enabled:
            sampler.set_epoch(epoch)
        yield from loader
        epoch += 1


def _run_steps(trained, model, optimizer, data: TrainingData, preset: Preset, seed: int,
               context: distributed.DistributedContext, progress: bool) -> dict:
    from tqdm import tqdm

    task = data.dataset.task
    metric = metric_name(task)
    stopper = EarlyStopping(preset.patience, mode="max" if metric == "accuracy" else "min")
    history = []
    best_state = copy.deepcopy(model.state_dict())
    best_val = best_test = {}
    loss_sum, loss_count = 0.0, 0
    stop_reason = "max_steps"
    postfix = {}
    started = time.perf_counter()

    bar = tqdm(total=preset.max_steps, desc=f"train {data.dataset.name}", unit="step",
               disable=not (progress and context.is_main), dynamic_ncols=True)
    batches = _batches(data, preset.batch_size, seed, context)
    step = 0
    try:
        while step < preset.max_steps:
            x, y = next(batches)
            trained.train()
            loss = batch_loss(task, trained(x), y)
            loss_value = loss.detach().item()
            if not math.isfinite(loss_value):
                raise ShareNeuroError(
                    f"The training loss became {loss_value} at step {step + 1}. "
                    f"Lower the learning rate (preset {preset.name!r} uses {preset.lr:g})."
                )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

            step += 1
            loss_sum += loss_value
            loss_count += 1
            bar.update(1)
            postfix["loss"] = f"{loss_value:.4f}"
            bar.set_postfix(postfix, refresh=False)

            if step % preset.eval_every != 0 and step != preset.max_steps:
                continue

            val = evaluate(model, data.val_x, data.val_y, task, data, preset, context)
            improved = stopper.update(val[metric], step, tie_break=val["loss"])
            if improved:
                best_val = val
                best_test = evaluate(model, data.test_x, data.test_y, task, data, preset,
                                     context)
                best_state = copy.deepcopy(model.state_dict())
            history.append(history_entry(step, loss_sum / loss_count, val, improved,
                                         time.perf_counter() - started))
            loss_sum, loss_count = 0.0, 0
            postfix[f"val_{metric}"] = f"{val[metric]:.4f}"
            postfix[f"best_{metric}"] = f"{stopper.best:.4f}"
            bar.set_postfix(postfix)
            if stopper.should_stop:
                stop_reason = "early_stopping"
                break
    finally:
        bar.close()

    return {"best_val": best_val, "best_test": best_test, "best_step": stopper.best_step,
            "best_state": best_state, "steps": step, "stop_reason": stop_reason,
            "history": history}
