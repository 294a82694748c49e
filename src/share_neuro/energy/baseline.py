"""Analytic operation counts of the non-spiking LinOSS baseline of the same sizes.

LinOSS (Rusch & Rus, ICLR 2025) as in its public JAX code: a linear encoder, then per
block BatchNorm, the oscillatory layer, GELU, GLU (two H x H linear layers and a
sigmoid gate), dropout (identity at inference) and the residual add, then the head.
The oscillatory layer has a complex B of shape P x H, a real 2x2 recurrence per
oscillator on a complex state, the real part of a complex C and an elementwise D skip. Counts are per sample of `length`
steps and use the sequential recurrence, the cheapest exact form.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from share_neuro.errors import ShareNeuroError

CONFIG_KEYS = ("hidden_size", "state_size", "num_blocks", "input_size", "output_size", "task")


@dataclass
class ComponentCounts:
    """Real-valued operations of one part of the baseline, per sample."""

    name: str
    macs: int
    adds: int
    nonlinearities: int  # GELU, sigmoid or tanh evaluations


def linoss_counts(model_config: dict, length: int) -> list:
    """Return the per-sample operation counts of LinOSS with the sizes of `model_config`."""
    missing = [key for key in CONFIG_KEYS if key not in model_config]
    if missing:
        raise ShareNeuroError(
            f"The network's model_config lacks {', '.join(missing)}; the LinOSS baseline needs the "
            "model sizes. Convert the checkpoint again with the current converter."
        )
    if length <= 0:
        raise ShareNeuroError(f"Sequence length {length} is invalid for the baseline; it must be positive.")

    hidden = int(model_config["hidden_size"])
    state = int(model_config["state_size"])
    blocks = int(model_config["num_blocks"])
    inputs = int(model_config["input_size"])
    outputs = int(model_config["output_size"])
    steps = int(length)

    components = [ComponentCounts("encoder", macs=steps * inputs * hidden, adds=steps * hidden, nonlinearities=0)]

    block = [
        # Inference BatchNorm folds into one multiply-add per element.
        ComponentCounts("batchnorm", macs=steps * hidden, adds=0, nonlinearities=0),
        # Complex B (P x H) times a real input: real and imaginary parts.
        ComponentCounts("linoss_B", macs=steps * 2 * state * hidden, adds=0, nonlinearities=0),
        # A real 2x2 matrix times a complex [z, y] state takes 8 multiply-adds. The input
        # term F = [M11 dt Bu, M21 dt Bu] on complex Bu takes 4 multiplies, adding F 4 adds.
        ComponentCounts("linoss_recurrence", macs=steps * 12 * state, adds=steps * 4 * state, nonlinearities=0),
        # Real part of complex C (H x P) times the complex position y.
        ComponentCounts("linoss_C", macs=steps * 2 * hidden * state, adds=0, nonlinearities=0),
        ComponentCounts("linoss_D", macs=steps * hidden, adds=0, nonlinearities=0),
        ComponentCounts("gelu", macs=0, adds=0, nonlinearities=steps * hidden),
        # w1(x) * sigmoid(w2(x)): two H x H layers with bias, the sigmoid and the product.
        ComponentCounts(
            "glu", macs=steps * (2 * hidden * hidden + hidden), adds=steps * 2 * hidden, nonlinearities=steps * hidden
        ),
        ComponentCounts("residual", macs=0, adds=steps * hidden, nonlinearities=0),
    ]
    for index in range(blocks):
        components += [
            ComponentCounts(f"block{index}.{part.name}", part.macs, part.adds, part.nonlinearities) for part in block
        ]

    components.append(_head(model_config, steps, hidden, outputs))
    return components


def _head(model_config: dict, steps: int, hidden: int, outputs: int) -> ComponentCounts:
    if model_config["task"] == "classification":
        # Mean over time (sum, then one scale per channel) and Linear(H -> classes); the
        # softmax is left out because the prediction only needs the argmax.
        return ComponentCounts(
            "head", macs=hidden + hidden * outputs, adds=steps * hidden + outputs, nonlinearities=0
        )

    output_step = int(model_config.get("output_step", 1) or 1)
    evaluations = steps // output_step
    return ComponentCounts(
        "head", macs=evaluations * hidden * outputs, adds=evaluations * outputs, nonlinearities=evaluations * outputs
    )


def linoss_energy(components: list, profile) -> dict:
    """Price the baseline counts with `profile` (MACs and nonlinearities at `energy.mac`)."""
    mac = profile.si("energy.mac")
    accumulate = profile.si("energy.accumulate")

    per_component = {}
    for part in components:
        # NOTE: one nonlinearity (GELU, sigmoid, tanh) is priced as one MAC, which
        # understates the baseline's cost of those functions.
        per_component[part.name] = part.macs * mac + part.adds * accumulate + part.nonlinearities * mac

    return {
        "model": "linoss",
        "profile": profile.name,
        "components": [asdict(part) for part in components],
        "macs": sum(part.macs for part in components),
        "adds": sum(part.adds for part in components),
        "nonlinearities": sum(part.nonlinearities for part in components),
        "energy_j_per_component": per_component,
        "energy_j_per_sample": sum(per_component.values()),
    }
