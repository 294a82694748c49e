"""report.md: the demo's report dict as Markdown tables and the PNG plots."""

from __future__ import annotations

SI_PREFIXES = ((1e-15, "fJ"), (1e-12, "pJ"), (1e-9, "nJ"), (1e-6, "µJ"), (1e-3, "mJ"), (1.0, "J"))


def joules(value) -> str:
    """Format an energy in joules with an SI prefix, for example 1.23 µJ."""
    if value is None:
        return "n/a"
    if value == 0:
        return "0 J"
    scale, unit = SI_PREFIXES[0]
    for candidate, name in SI_PREFIXES:
        if abs(value) >= candidate:
            scale, unit = candidate, name
    return f"{value / scale:.3g} {unit}"


def ratio_text(ratio) -> str:
    """Describe baseline / spiking energy in words: '12.3x less' or '4.5x more'."""
    if ratio is None:
        return "n/a"
    if ratio >= 1:
        return f"{ratio:.3g}x less"
    return f"{1 / ratio:.3g}x more"


def table(header: list, rows: list) -> list:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def render_markdown(report: dict) -> str:
    """Return report.md for the report dict of `build_report`."""
    lines = _header(report)
    lines += _training(report)
    lines += _accuracy(report)
    lines += _lava(report)
    lines += _resources(report)
    lines += _energy(report)
    lines += _raster_and_times(report)
    return "\n".join(lines) + "\n"


def metric_label(metric: str) -> str:
    return "MSE" if metric == "mse" else metric


def _predictions(metric: str) -> str:
    # compare_activity compares class predictions, or for regression the outputs themselves.
    return "predictions" if metric == "accuracy" else "outputs"


def _score(metric: str, value) -> str:
    return f"{value:.4f}" if metric == "accuracy" else f"{value:.6g}"


def _header(report: dict) -> list:
    summary = report["summary"]
    demo = report["demo"]
    metric = summary["metric"]
    lines = [
        f"# share-neuro demo: SHaRe-SSM on {summary['dataset']}",
        "",
        f"Written {demo['written']} by `{demo['command']}` on {demo['machine']['system']} "
        f"(Python {demo['machine']['python']}).",
        "",
        "## Summary",
        "",
        f"- Float model (PyTorch), test {metric_label(metric)} on {summary['test_samples']} sequences: "
        f"{_score(metric, summary['float_test'])}",
        f"- Fixed-point network (reference simulator), same sequences: "
        f"{_score(metric, summary['fixed_point_test'])}",
        f"- Lava ({report['simulate_lava'].get('tag', 'fixed_pt')}) on the first {summary['lava_samples']} test "
        f"sequences: {metric_label(metric)} {_score(metric, summary['lava_test'])} (reference simulator on the same sequences: "
        f"{_score(metric, summary['reference_test_on_lava_samples'])}), spikes equal to the reference simulator "
        f"{summary['lava_spike_match']:.2%}, {_predictions(metric)} equal {summary['lava_prediction_match']:.2%}",
        f"- Hardware profile {summary['profile']}: {summary['cores']} cores, {summary['neurons']} neurons, "
        f"{summary['synapses']} synapses",
    ]
    if "energy_j_per_sample" in summary:
        energy = summary["energy_j_per_sample"]
        ratio = summary.get("energy_ratio") or {}
        baseline = report["energy"].get("baseline", {})
        lines.append(
            f"- Energy per sequence on {summary['profile']}: {joules(energy['complete'])} (complete accounting), "
            f"{joules(energy['paper'])} (the paper's synaptic operations only). LinOSS on "
            f"{baseline.get('profile', 'the baseline profile')}: {joules(summary['baseline_energy_j_per_sample'])}, "
            f"so the spiking network uses {ratio_text(ratio.get('complete'))} energy (complete) and "
            f"{ratio_text(ratio.get('paper'))} (paper accounting)."
        )
    return lines + [""]


def _training(report: dict) -> list:
    train = report["train"]
    model = report["energy"].get("model_config", {})
    shape = (f"blocks {model.get('num_blocks', '?')}, H={model.get('hidden_size', '?')}, "
             f"P={model.get('state_size', '?')}, scheme {model.get('scheme', train['scheme'])}")
    rows = [
        ["preset", train["preset"]],
        ["model", f"{train['model']}, {shape}, {train['num_parameters']} parameters"],
        ["data", f"{train['train_samples']} train / {train['val_samples']} validation / "
                 f"{train['test_samples']} test sequences"],
        ["steps", f"{train['train_steps']} (best validation at step {train['best_step']}, "
                  f"stopped by {train['stop_reason']})"],
        ["training time", f"{train['wall_time_s']:.1f} s on {train['torch_threads']} torch threads"],
        ["seed", train["seed"]],
    ]
    return ["## Training", "", *table(["", ""], rows), "",
            "![Training curve: loss and validation score against optimiser steps](training_curve.png)", ""]


def _accuracy(report: dict) -> list:
    metric = report["summary"]["metric"]
    train = report["train"]
    convert = report["convert"]
    reference = report["simulate_reference"]
    lava = report["simulate_lava"]
    rows = [
        ["float model (PyTorch)", f"test, {train['test_samples']}", _score(metric, train["test"][metric])],
        ["fixed point (reference simulator)", f"test, {reference['samples']}", _score(metric, reference[metric])],
        [f"fixed point (Lava {lava.get('tag', '')})", f"first {lava['samples']} of test",
         _score(metric, lava[metric])],
        ["fixed point (reference simulator)", f"first {lava['samples']} of test",
         _score(metric, report["summary"]["reference_test_on_lava_samples"])],
        ["float model (numpy, converter)", convert["calibration_dataset"],
         _score(metric, convert[f"float_{metric}"])],
        ["fixed point (converter)", convert["calibration_dataset"], _score(metric, convert[f"fixed_{metric}"])],
    ]
    label = metric_label(metric)
    return [f"## {label[0].upper() + label[1:]}: float against fixed point", "", *table(["run", "data", label], rows), ""]


def _lava(report: dict) -> list:
    lava = report["simulate_lava"]
    layer_order = [layer["name"] for layer in report["convert"]["layers"]]
    names = sorted(lava["population_match"], key=lambda name: (name not in layer_order,
                                                                layer_order.index(name) if name in layer_order else 0))
    rows = [[name, f"{lava['firing_rates'].get(name, 0.0):.4f}", f"{lava['population_match'][name]:.6f}"]
            for name in names]
    return [
        "## Lava against the reference simulator",
        "",
        f"Both simulators ran the same {lava['samples']} sequences ({lava['steps']} steps each). Spikes equal: "
        f"{lava['spike_match']:.6f} of all neuron-steps; {_predictions(report['summary']['metric'])} equal: "
        f"{lava['prediction_match']:.4f}; "
        f"largest readout difference: {lava['max_output_difference']:g}.",
        "",
        *table(["population", "Lava spikes/neuron/step", "fraction of spikes equal"], rows),
        "",
    ]


def _resources(report: dict) -> list:
    convert = report["convert"]
    bits = convert["bits"]
    saturations = convert["saturations"]
    rows = [[layer["name"], layer["kind"], layer["neurons"], layer["cores"], layer["synapses_in"],
             layer["start_step"]] for layer in convert["layers"]]
    return [
        f"## Resources on {convert['profile']}",
        "",
        f"{convert['cores']} cores, {convert['neurons']} neurons, {convert['synapses']} synapses, longest delay "
        f"{convert['max_delay']} steps. Bits: weights {bits['weight']}, input {bits['input']} "
        f"({bits['input_frac']} fraction bits), HRF state {bits['state']}, HRF coefficients {bits['coef_frac']} "
        f"fraction bits. On the calibration data {saturations['total']} HRF state values were clipped, "
        f"{saturations['current_overflows']} currents wrapped and {saturations['input']} input values clipped; "
        f"{convert['clipped_weights']} weights were clipped.",
        "",
        *table(["layer", "kind", "neurons", "cores", "synapses in", "start step"], rows),
        "",
    ]


def _energy(report: dict) -> list:
    energy = report["energy"]
    ratios = energy.get("ratio", {})
    rows = []
    for name, entry in energy["profiles"].items():
        per_sample = entry["energy_j_per_sample"]
        ratio = ratios.get(name, {})
        rows.append([f"{name} ({entry['title']})", joules(per_sample["paper"]), joules(per_sample["complete"]),
                     ratio_text(ratio.get("paper")), ratio_text(ratio.get("complete"))])

    lines = [
        f"## Energy per test sequence ({energy['dataset']['samples']} sequences of {energy['length']} input steps, "
        f"{energy['steps']} simulated steps)",
        "",
        "Paper accounting counts only the synaptic operations of the B, C, block-linear and readout projections; "
        "complete accounting prices every operation of the deployed network, static power included "
        "(see docs/energy.md).",
        "",
        *table(["profile", "paper", "complete", "against LinOSS (paper)", "against LinOSS (complete)"], rows),
        "",
    ]
    profile = report["convert"]["profile"]
    if profile in energy["profiles"]:
        entry = energy["profiles"][profile]
        static = entry["breakdown_j_per_sample"]["static"]
        complete = entry["energy_j_per_sample"]["complete"]
        share = static / complete if complete else 0.0
        lines += [f"On {profile}, static power accounts for {joules(static)} of the {joules(complete)} per "
                  f"sequence ({share:.0%}) in the complete accounting.", ""]
    if "baseline" in energy:
        baseline = energy["baseline"]
        lines += [
            f"LinOSS baseline ({baseline['model']} with the same sizes, priced on {baseline['profile']}): "
            f"{baseline['macs']:.4g} multiply-accumulates, {joules(energy['baseline_energy_j_per_sample'])} per "
            f"sequence. The ratio is {energy['ratio_definition']}.",
            "",
        ]
    return lines + ["![Energy per layer and profile with static power, energy per sequence against LinOSS, and firing "
                   "rates](energy_per_layer.png)", ""]


def _raster_and_times(report: dict) -> list:
    demo = report["demo"]
    rows = [[name, f"{stage['seconds']:.1f}"] for name, stage in demo["stages"].items()]
    rows.append(["total (without the report)", f"{demo['stage_seconds_total']:.1f}"])
    files = ", ".join(f"`{name}`" for name in demo["files"])
    return [
        "## Spikes of one test sequence",
        "",
        "![Spike raster of test sequence 0 on Lava, one panel per population](spike_raster.png)",
        "",
        "## Stage times",
        "",
        *table(["stage", "seconds"], rows),
        "",
        "Times of stages completed by an earlier, interrupted run are those of that run.",
        "",
        f"Files in this folder: {files}.",
    ]
