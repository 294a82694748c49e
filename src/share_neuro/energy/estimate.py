"""Energy per sample of a deployed network, in the paper's accounting and a complete one.

"paper" (the SHaRe-SSM paper, arXiv 2510.14386): only the synaptic operations of the
B, C, block-linear and readout projections, one accumulate per spike per target
(L x rate x fan-in x fan-out), priced at the profile's `energy.synaptic_op`. The
top-level "paper" entry prices the same count at the paper's 0.9 pJ.
"complete": every operation of the deployed network priced by the profile (synaptic
events, neuron updates by update form, spike messages, host arithmetic, static power
over the derived run time). `docs/energy.md` states every assumption.
"""

from __future__ import annotations

import math

from share_neuro.energy.baseline import linoss_counts, linoss_energy
from share_neuro.energy.counts import PAPER_ROLES, OperationCounts, count_operations
from share_neuro.energy.neurobench import neurobench_metrics
from share_neuro.energy.profiles import Profile, ProfileError, load_profile
from share_neuro.errors import ShareNeuroError

# The paper's accumulate: 32-bit float add at 45 nm, 0.9 V (Horowitz, ISSCC 2014).
PAPER_ACCUMULATE_J = 0.9e-12
BASELINES = ("linoss",)


def estimate_energy(network, activity, profiles, baseline=None, baseline_profile="cmos45nm") -> dict:
    """Estimate the energy per sample of `network` in `activity` on every profile.

    `profiles` contains `Profile` objects, bundled profile names or TOML paths.
    `baseline="linoss"` adds the LinOSS baseline priced on `baseline_profile`, and
    the ratio baseline / spiking per profile and accounting (the paper's "x times less
    energy"). Returns a JSON-ready dict.
    """
    loaded = [profile if isinstance(profile, Profile) else load_profile(profile) for profile in profiles]
    if not loaded:
        raise ShareNeuroError("No hardware profile given; name at least one (see `share-neuro profiles`).")

    counts = count_operations(network, activity)
    paper_ops = counts.total("paper_events") / counts.samples

    result = {
        "samples": counts.samples,
        "steps": counts.steps,
        "length": counts.length,
        "model_config": dict(network.metadata.get("model_config", {})),
        "counts": counts.to_dict(),
        "firing_rates": activity.firing_rates(),
        "neurobench": neurobench_metrics(counts),
        "paper": {
            "roles": list(PAPER_ROLES),
            "synaptic_ops_per_sample": paper_ops,
            "energy_per_op_j": PAPER_ACCUMULATE_J,
            "energy_per_op_source": "Horowitz, ISSCC 2014: 32-bit float add, 45 nm, 0.9 V",
            "energy_j_per_sample": paper_ops * PAPER_ACCUMULATE_J,
        },
        "profiles": {profile.name: _price(network, counts, profile) for profile in loaded},
    }

    if baseline is not None:
        _add_baseline(result, network, counts, baseline, baseline_profile)
    return result


def _price(network, counts: OperationCounts, profile: Profile) -> dict:
    samples = counts.samples
    layers = []

    for group in counts.synapse_groups:
        energy = group.binary_events * profile.si("energy.synaptic_op")
        energy += group.graded_events * profile.si("energy.graded_synaptic_op")
        layers.append(
            {
                "name": group.name,
                "kind": "synapses",
                "role": group.role,
                "energy_j_per_sample": energy / samples,
                "paper_energy_j_per_sample": group.paper_events * profile.si("energy.synaptic_op") / samples,
            }
        )

    for population in counts.populations:
        energy = _neuron_energy(population, profile) + population.axon_out * profile.si("energy.spike_sent")
        layers.append(
            {
                "name": population.name,
                "kind": "population",
                "role": population.role,
                "energy_j_per_sample": energy / samples,
                "paper_energy_j_per_sample": 0.0,
            }
        )

    input_energy = counts.input.messages * profile.si("energy.spike_sent")
    layers.append(_plain_layer(counts.input.name, "input", input_energy / samples))
    host_energy = (counts.host.macs + counts.host.nonlinearities) * profile.si("energy.mac")
    layers.append(_plain_layer("host", "host", host_energy / samples))

    static = _static(counts, profile)
    breakdown = _breakdown(counts, profile, static)
    complete = sum(breakdown.values())
    paper = sum(layer["paper_energy_j_per_sample"] for layer in layers)

    return {
        "title": profile.title,
        "path": profile.path,
        "energy_j_per_sample": {"paper": paper, "complete": complete},
        "breakdown_j_per_sample": breakdown,
        "layers": layers,
        "static": static,
        "constants": profile.to_dict()["constants"],
    }


def _plain_layer(name: str, kind: str, energy: float) -> dict:
    return {"name": name, "kind": kind, "role": kind, "energy_j_per_sample": energy, "paper_energy_j_per_sample": 0.0}


def _neuron_energy(population, profile: Profile) -> float:
    if not profile.prices_neuron_updates:
        adds = population.adds + population.shifts  # a shift costs an add
        return (
            population.multiplies * profile.si("energy.multiply")
            + adds * profile.si("energy.add")
            + population.compares * profile.si("energy.compare")
        )

    compartments = _compartments(population, profile)
    updates = population.neuron_updates * compartments
    active = profile.si("energy.neuron_update")
    if profile.has("energy.neuron_update_spiking"):
        # The compartment that spikes costs the spiking energy instead of the active one.
        spiking = profile.si("energy.neuron_update_spiking")
        return (updates - population.spikes) * active + population.spikes * spiking
    return updates * active


def _compartments(population, profile: Profile) -> int:
    if population.kind == "hrf":
        return int(profile.si("neuron_model.hrf_compartments"))
    return 1


def _breakdown(counts: OperationCounts, profile: Profile, static: dict) -> dict:
    samples = counts.samples
    neuron = sum(_neuron_energy(population, profile) for population in counts.populations)
    messages = counts.total("axon_out", "populations") + counts.input.messages
    return {
        "synaptic_binary": counts.total("binary_events") * profile.si("energy.synaptic_op") / samples,
        "synaptic_graded": counts.total("graded_events") * profile.si("energy.graded_synaptic_op") / samples,
        "neuron_updates": neuron / samples,
        "spikes_sent": messages * profile.si("energy.spike_sent") / samples,
        "host": (counts.host.macs + counts.host.nonlinearities) * profile.si("energy.mac") / samples,
        "static": static["energy_j_per_sample"],
    }


def _static(counts: OperationCounts, profile: Profile) -> dict:
    if not profile.has("power.static"):
        return {
            "energy_j_per_sample": 0.0,
            "assumption": "The profile gives no static power, so static energy is not included.",
        }

    # Derived step time: every population sits on its own cores, spread evenly, and
    # cores work in parallel, so a step lasts as long as the busiest population's core
    # takes for its mean per-step synaptic events and neuron updates.
    per_step = counts.samples * counts.steps
    neurons_per_core = profile.limit("neurons_per_core")
    step_time = 0.0
    cores = 0
    for population in counts.populations:
        compartments = _compartments(population, profile) if profile.prices_neuron_updates else 1
        population_cores = math.ceil(population.size * compartments / neurons_per_core)
        cores += population_cores
        busy = (
            population.incoming_events * profile.si("timing.synaptic_op")
            + population.neuron_updates * compartments * profile.si("timing.neuron_update")
        ) / (per_step * population_cores)
        step_time = max(step_time, busy)

    chips = max(1, math.ceil(cores / profile.limit("cores_per_chip")))
    seconds = step_time * counts.steps
    return {
        "energy_j_per_sample": profile.si("power.static") * chips * seconds,
        "step_time_s": step_time,
        "seconds_per_sample": seconds,
        "cores": cores,
        "chips": chips,
        "assumption": (
            "Static power x chips x run time; the step time is derived from the per-operation latencies "
            "of the busiest core, averaged over steps, with no barrier synchronisation or host I/O time, "
            "so it is a lower estimate of the real run time."
        ),
    }


def _add_baseline(result: dict, network, counts: OperationCounts, baseline: str, baseline_profile) -> None:
    if baseline not in BASELINES:
        raise ShareNeuroError(f"Unknown baseline {baseline!r}; available: {', '.join(BASELINES)}.")

    config = network.metadata.get("model_config")
    if not isinstance(config, dict):
        raise ShareNeuroError(
            "The network has no metadata['model_config'], which the LinOSS baseline needs for its sizes. "
            "Convert the checkpoint again with the current converter."
        )

    profile = baseline_profile if isinstance(baseline_profile, Profile) else load_profile(baseline_profile)
    if not profile.has("energy.accumulate"):
        raise ProfileError(
            f"Baseline profile {profile.name!r} ({profile.path}) lacks field 'energy.accumulate'; "
            "use cmos45nm or add it."
        )

    priced = linoss_energy(linoss_counts(config, counts.length), profile)
    result["baseline"] = priced
    result["baseline_energy_j_per_sample"] = priced["energy_j_per_sample"]

    ratio = {}
    for name, entry in result["profiles"].items():
        ratio[name] = {
            accounting: (priced["energy_j_per_sample"] / energy if energy > 0 else math.inf)
            for accounting, energy in entry["energy_j_per_sample"].items()
        }
    result["ratio"] = ratio
    result["ratio_definition"] = "baseline energy / spiking energy per sample (x times less energy)"
