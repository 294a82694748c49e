"""FloatModel + Calibration -> Network: the mapping of SHaRe-SSM onto the network format.

Nodes: `input` (graded), `encoder` (threshold, the encoder bias folded into the
threshold), per block k `block{k}.hrf`, `block{k}.c` (C stage with the D skip) and
`block{k}.linear` (bias folded), and `readout`. The residual stream is fan-out: every
population that adds to the stream (the encoder and each earlier block's linear stage)
connects to each consumer in its own synapse group, with delays that align them.

Scales: an integer current `I` of a threshold population or readout means the float
current `I * 2**-current_frac_bits`; an HRF population's input current and state use
`2**-state_frac_bits`. A binary source's group then has effective weights
`W * 2**F_target`; the graded input's group `W * 2**(F_target - input_frac_bits)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from share_neuro.conversion.calibrate import Calibration
from share_neuro.conversion.errors import ConversionError
from share_neuro.conversion.hrf_quantize import float_coefficients, quantize_hrf
from share_neuro.conversion.quantize import frac_bits_for_range, quantize_threshold, quantize_weights, weight_grid
from share_neuro.conversion.source import FloatModel
from share_neuro.conversion.timing import DEFAULT_MAX_DELAY, Edge, plan_timing
from share_neuro.network.nodes import DenseSynapses, HRFPopulation, InputNode, Network, Readout, ThresholdPopulation
from share_neuro.network.validate import GRADED_SUM_LIMIT, WEIGHT_EXP_RANGE, graded_sum_bound

# Currents of threshold populations and the readout stay inside 24 bits (the payload
# width Lava emulates) even in the worst case, so neither int32 wrap nor a 24-bit
# hardware register can change them.
CURRENT_BITS = 24
# Narrowest input payload the converter uses to keep the encoder's graded sums inside
# int32 (GRADED_SUM_LIMIT). Below it, the converter raises the weight exponent instead.
MIN_INPUT_BITS = 8


@dataclass
class BuildOptions:
    """Bit widths and margins of the conversion."""

    weight_bits: int = 8
    input_bits: int = 16
    state_bits: int = 24
    coef_frac_bits: int = 16
    max_delay: int = DEFAULT_MAX_DELAY
    input_headroom: float = 1.25  # input range kept free above the calibration maximum
    state_headroom: float = 4.0  # HRF state range kept free above the calibration maximum


@dataclass
class BuildStats:
    """Quantisation results per synapse group and per population."""

    clipped_weights: dict = field(default_factory=dict)  # group name -> weights clipped to the grid
    zeroed_weights: dict = field(default_factory=dict)  # group name -> non-zero weights that became 0
    weight_exp: dict = field(default_factory=dict)
    frac_bits: dict = field(default_factory=dict)  # node name -> fraction bits of its current or state
    coef_frac_bits: dict = field(default_factory=dict)  # HRF population -> coefficient fraction bits
    spectral_radius: dict = field(default_factory=dict)  # HRF population -> of the quantised update
    input_bits: int = 0  # payload width used, at most the requested one (see MIN_INPUT_BITS)
    graded_sum_bound: dict = field(default_factory=dict)  # graded group -> worst |sum| before the shift

    def to_dict(self) -> dict:
        return {
            "input_bits": self.input_bits,
            "graded_sum_bound": dict(self.graded_sum_bound),
            "clipped_weights": sum(self.clipped_weights.values()),
            "zeroed_weights": sum(self.zeroed_weights.values()),
            "clipped_weights_per_group": {k: v for k, v in self.clipped_weights.items() if v},
            "weight_exp": dict(self.weight_exp),
            "frac_bits": dict(self.frac_bits),
            "coef_frac_bits": dict(self.coef_frac_bits),
            "spectral_radius": dict(self.spectral_radius),
        }


def largest_frac_bits_for_weights(weights, weight_bits: int, scale_bits: int = 0) -> int:
    """Return the largest target F for which `weights * 2**(F - scale_bits)` fits the grid at the top weight_exp.

    Above it the weight exponent would leave WEIGHT_EXP_RANGE and the largest weights would clip.
    """
    max_abs = max(float(np.max(np.abs(np.asarray(w)))) for w in weights)
    if max_abs == 0.0:
        return 30
    _, limit = weight_grid(weight_bits)
    return int(np.floor(np.log2(limit * 2.0 ** WEIGHT_EXP_RANGE[1] / max_abs))) + scale_bits


def stream_sources(block_index: int) -> list:
    """Return the populations whose spikes make up the stream entering block `block_index`."""
    return ["encoder"] + [f"block{j}.linear" for j in range(block_index)]


def group_name(source: str, target: str, tap: int = None) -> str:
    name = f"{source}.to.{target}"
    return name if tap is None else f"{name}.tap{tap}"


def plan_edges(model: FloatModel) -> list:
    """Return the synapse groups of the network as timing edges, with their roles."""
    edges = [(Edge(group_name("input", "encoder"), "input", "encoder"), "encoder")]

    for k in range(len(model.blocks)):
        hrf, c_stage, linear = f"block{k}.hrf", f"block{k}.c", f"block{k}.linear"
        for source in stream_sources(k):
            edges.append((Edge(group_name(source, hrf), source, hrf), "B"))
        edges.append((Edge(group_name(hrf, c_stage), hrf, c_stage), "C"))
        for source in stream_sources(k):
            edges.append((Edge(group_name(source, c_stage), source, c_stage), "D"))
        edges.append((Edge(group_name(c_stage, linear), c_stage, linear), "linear"))

    final_stream = stream_sources(len(model.blocks))
    if model.task == "classification":
        for source in final_stream:
            edges.append((Edge(group_name(source, "readout"), source, "readout"), "readout"))
    else:
        for source in final_stream:
            for tap in range(len(model.fir)):
                edges.append((Edge(group_name(source, "readout", tap), source, "readout", lag=tap), "readout"))
    return edges


class _Builder:
    """Collects nodes and quantised synapse groups for one conversion."""

    def __init__(self, model: FloatModel, calibration: Calibration, options: BuildOptions):
        self.model = model
        self.calibration = calibration
        self.options = options
        self.stats = BuildStats()
        edges = plan_edges(model)
        self.roles = {edge.name: role for edge, role in edges}
        self.timing = plan_timing(["input"], [edge for edge, _ in edges], max_delay=options.max_delay)
        self.nodes = []
        self.synapses = []

    def add_synapses(self, source: str, target: str, weight_float: np.ndarray, scale: float, *, graded=False, tap=None,
                     min_weight_exp=None):
        """Quantise `weight_float * scale` (effective weights) and add the group with its delay.

        `min_weight_exp` forces a coarser grid (smaller integer weights) than the weights need.
        """
        name = group_name(source, target, tap)
        exp_range = WEIGHT_EXP_RANGE if min_weight_exp is None else (max(min_weight_exp, WEIGHT_EXP_RANGE[0]), WEIGHT_EXP_RANGE[1])
        quantized = quantize_weights(weight_float * scale, self.options.weight_bits, exp_range)
        delay_value = self.timing.delay[name]
        delay = np.full(weight_float.shape, delay_value, dtype=np.uint8) if delay_value else None

        self.synapses.append(DenseSynapses(
            name=name, source=source, target=target,
            weight=quantized.weight, weight_exp=quantized.weight_exp, delay=delay,
            graded=graded, role=self.roles[name], weight_float=np.asarray(weight_float, dtype=np.float32),
        ))
        self.stats.clipped_weights[name] = quantized.clipped
        self.stats.zeroed_weights[name] = quantized.zeroed
        self.stats.weight_exp[name] = quantized.weight_exp

    def add_threshold_population(self, name, role, threshold_float, worst_current, weights, scale_bits=0):
        """Add a threshold population; return its current fraction bits F.

        F is the largest value for which the current stays within CURRENT_BITS even at
        `worst_current` (float units) and the incoming `weights` (scaled by
        `2**(F - scale_bits)`) need no weight_exp above the allowed range.
        """
        frac_bits = min(
            frac_bits_for_range(worst_current, CURRENT_BITS),
            largest_frac_bits_for_weights(weights, self.options.weight_bits, scale_bits),
        )
        self.nodes.append(ThresholdPopulation(
            name=name, size=len(threshold_float),
            threshold=quantize_threshold(threshold_float, frac_bits),
            start_step=self.timing.latency[name], role=role, current_frac_bits=frac_bits,
            threshold_float=np.asarray(threshold_float, dtype=np.float32),
        ))
        self.stats.frac_bits[name] = frac_bits
        return frac_bits

    def input_payload_bits(self) -> int:
        """Return the widest payload, up to `options.input_bits`, whose graded encoder sums stay below GRADED_SUM_LIMIT.

        Lava's graded Dense sums `w * payload` in int32 before its weight_exp shift.
        The integer weights fill the weight grid whatever the input scale, so their row
        sums are known before the input's fraction bits are chosen.
        """
        grid_filling = quantize_weights(self.model.encoder_weight, self.options.weight_bits).weight
        bits = self.options.input_bits
        while bits > MIN_INPUT_BITS and graded_sum_bound(grid_filling, bits) >= GRADED_SUM_LIMIT:
            bits -= 1
        return bits

    def build_input(self):
        model, options = self.model, self.options
        bits = self.input_payload_bits()
        input_max = self.calibration.max_abs["input"]
        frac_bits = frac_bits_for_range(input_max, bits, headroom=options.input_headroom, lowest=0, highest=bits)

        mean = np.asarray(model.normalization["mean"], dtype=np.float64)
        std = np.asarray(model.normalization["std"], dtype=np.float64)
        if model.time_channel:
            # t / L joins after normalisation, so its channel keeps mean 0 and std 1.
            mean = np.append(mean, 0.0)
            std = np.append(std, 1.0)
        self.nodes.append(InputNode(
            name="input", size=model.encoder_inputs, mean=mean, std=std,
            frac_bits=frac_bits, bits=bits, start_step=0, time_channel=model.time_channel,
        ))
        self.stats.frac_bits["input"] = frac_bits
        self.stats.input_bits = bits
        return frac_bits

    def build_encoder(self, input_frac_bits):
        model = self.model
        bits = self.stats.input_bits
        # The input saturates at 2**(bits - 1) payload units, which bounds the current.
        input_bound = 2.0 ** (bits - 1 - input_frac_bits)
        worst = float(np.max(np.abs(model.encoder_weight).sum(axis=1))) * input_bound
        frac_bits = self.add_threshold_population(
            "encoder", "encoder", model.theta_enc - model.encoder_bias, worst, [model.encoder_weight], input_frac_bits,
        )
        scale = 2.0 ** (frac_bits - input_frac_bits)
        self.add_synapses("input", "encoder", model.encoder_weight, scale, graded=True)

        # A clamped weight_exp or MIN_INPUT_BITS can leave the sum too large: coarsen the
        # weights one exponent at a time until it fits.
        group = self.synapses[-1]
        while graded_sum_bound(group.weight, bits) >= GRADED_SUM_LIMIT:
            if group.weight_exp >= WEIGHT_EXP_RANGE[1]:
                raise ConversionError(
                    f"the encoder's graded synapse group {group.name!r} cannot keep its sums below 2**31 "
                    f"(where Lava's graded Dense wraps) even with {bits}-bit inputs and the largest weight_exp; "
                    "the model has too many input channels or too large encoder weights for this network format"
                )
            self.synapses.pop()
            self.add_synapses("input", "encoder", model.encoder_weight, scale, graded=True,
                              min_weight_exp=group.weight_exp + 1)
            group = self.synapses[-1]
        self.stats.graded_sum_bound[group.name] = graded_sum_bound(group.weight, bits)

    def build_block(self, k, block):
        model, options = self.model, self.options
        sources = stream_sources(k)
        hrf_name, c_name, linear_name = f"block{k}.hrf", f"block{k}.c", f"block{k}.linear"

        # HRF: one scale for input current and state, from the calibrated state range.
        state_max = max(self.calibration.max_abs[f"block{k}.hrf_velocity"], self.calibration.max_abs[f"block{k}.hrf_position"])
        current_worst = float(np.max(np.abs(block.B).sum(axis=1))) * len(sources)
        state_frac_bits = min(
            frac_bits_for_range(state_max, options.state_bits, headroom=options.state_headroom),
            frac_bits_for_range(current_worst, CURRENT_BITS + 7),
            largest_frac_bits_for_weights([block.B], options.weight_bits),
        )
        coefficients = block.coefficients(model.scheme)
        quantized = quantize_hrf(hrf_name, model.scheme, coefficients, state_frac_bits, options.coef_frac_bits)
        state_frac_bits = quantized.state_frac_bits
        self.nodes.append(HRFPopulation(
            name=hrf_name, size=block.B.shape[0], scheme=model.scheme, spike_on=model.config["spike_on"],
            threshold=quantize_threshold(block.theta_c, state_frac_bits),
            coefficients=quantized.coefficients, start_step=self.timing.latency[hrf_name],
            state_bits=options.state_bits, coef_frac_bits=quantized.coef_frac_bits, state_frac_bits=state_frac_bits,
            threshold_float=np.asarray(block.theta_c, dtype=np.float32),
            coefficients_float=float_coefficients(model.scheme, coefficients, 0),
        ))
        self.stats.frac_bits[hrf_name] = state_frac_bits
        self.stats.coef_frac_bits[hrf_name] = quantized.coef_frac_bits
        self.stats.spectral_radius[hrf_name] = quantized.spectral_radius
        for source in sources:
            self.add_synapses(source, hrf_name, block.B, 2.0**state_frac_bits)

        # C stage: C from the HRF spikes plus D (elementwise) from every stream source.
        worst = float(np.max(np.abs(block.C).sum(axis=1) + np.abs(block.D) * len(sources)))
        c_frac_bits = self.add_threshold_population(c_name, "c_stage", block.theta_d, worst, [block.C, block.D])
        self.add_synapses(hrf_name, c_name, block.C, 2.0**c_frac_bits)
        for source in sources:
            self.add_synapses(source, c_name, np.diag(block.D), 2.0**c_frac_bits)

        worst = float(np.max(np.abs(block.linear_weight).sum(axis=1)))
        linear_frac_bits = self.add_threshold_population(
            linear_name, "block_linear", block.theta_l - block.linear_bias, worst, [block.linear_weight],
        )
        self.add_synapses(c_name, linear_name, block.linear_weight, 2.0**linear_frac_bits)

    def build_readout(self):
        model = self.model
        sources = stream_sources(len(model.blocks))
        row_sum = float(np.max(np.abs(model.readout_weight).sum(axis=1))) * len(sources)

        if model.task == "classification":
            frac_bits = min(
                frac_bits_for_range(row_sum, CURRENT_BITS),
                largest_frac_bits_for_weights([model.readout_weight], self.options.weight_bits),
            )
            for source in sources:
                self.add_synapses(source, "readout", model.readout_weight, 2.0**frac_bits)
            bias_taps = None
        else:
            if model.output_size != 1:
                raise ConversionError(
                    f"the model has {model.output_size} regression outputs but the network's regression "
                    "readout has exactly 1; train one model per target"
                )
            frac_bits = min(
                frac_bits_for_range(row_sum * float(np.abs(model.fir).sum()), CURRENT_BITS),
                largest_frac_bits_for_weights([np.outer(model.fir, model.readout_weight)], self.options.weight_bits),
            )
            for source in sources:
                for tap, coefficient in enumerate(model.fir):
                    self.add_synapses(source, "readout", coefficient * model.readout_weight, 2.0**frac_bits, tap=tap)
            bias_taps = np.asarray(model.fir * model.readout_bias[0], dtype=np.float64)

        scaling = model.target_scaling if model.task == "regression" and model.target_scaling else {}
        self.nodes.append(Readout(
            name="readout", size=model.output_size, task=model.task, start_step=self.timing.latency["readout"],
            scale=float(2.0**-frac_bits), bias=np.asarray(model.readout_bias, dtype=np.float64),
            output_step=int(model.config["output_step"]) if model.task == "regression" else 1,
            bias_taps=bias_taps,
            target_center=float(scaling.get("center", 0.0)),
            target_half_range=float(scaling.get("half_range", 1.0)),
        ))
        self.stats.frac_bits["readout"] = frac_bits


def build_network(model: FloatModel, calibration: Calibration, options: BuildOptions = None) -> tuple:
    """Return (Network, BuildStats) for `model` with scales chosen from `calibration`."""
    options = options or BuildOptions()
    builder = _Builder(model, calibration, options)

    input_frac_bits = builder.build_input()
    builder.build_encoder(input_frac_bits)
    for k, block in enumerate(model.blocks):
        builder.build_block(k, block)
    builder.build_readout()

    network = Network(nodes=builder.nodes, synapses=builder.synapses)
    return network, builder.stats
