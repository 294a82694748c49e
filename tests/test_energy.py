"""Energy model: every count and energy of a hand-computed network, the baseline, the CLI.

The hand network: input (1 channel, graded) -> encoder (2 threshold units) -> HRF (1
neuron) -> C stage (2 units, C from the HRF and D from the encoder) -> block linear (2
units) -> classification readout (2 classes) fed by the encoder and the linear units.
Its Activity is written by hand, so every expected number below follows from the
weights and spike counts in this file.
"""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from share_neuro.cli import main
from share_neuro.energy import estimate_energy
from share_neuro.energy.baseline import linoss_counts
from share_neuro.energy.counts import count_operations
from share_neuro.energy.plot import energy_figure, plot_energy
from share_neuro.energy.report import format_ratio, format_table, write_json
from share_neuro.errors import ShareNeuroError
from share_neuro.network.nodes import DenseSynapses, HRFPopulation, InputNode, Network, Readout, ThresholdPopulation
from share_neuro.simulation.activity import Activity

PJ = 1e-12
NS = 1e-9
PROFILES = ("loihi1", "loihi1-sanafe", "loihi2", "cmos45nm")
SAMPLES, STEPS, LENGTH = 2, 10, 5


def hand_network(scheme="imex"):
    if scheme == "imex":
        coefficients = {"k_a": np.array([-100], np.int32), "k_i": np.array([50], np.int32), "k_dt": np.array([50], np.int32)}
    else:
        coefficients = {key: np.array([10], np.int32) for key in ("m11", "m12", "m21", "m22", "g1", "g2", "c1", "c2")}

    def synapses(name, source, target, weight, role, graded=False, weight_exp=0):
        return DenseSynapses(name, source, target, np.array(weight, np.int16), weight_exp, graded=graded, role=role)

    nodes = [
        InputNode("input", 1, mean=np.zeros(1), std=np.ones(1), frac_bits=0, bits=8),
        ThresholdPopulation("enc", 2, np.zeros(2, np.int32), start_step=1, role="encoder"),
        HRFPopulation("hrf", 1, scheme, "position", np.zeros(1, np.int32), coefficients, start_step=2),
        ThresholdPopulation("c", 2, np.zeros(2, np.int32), start_step=3, role="c_stage"),
        ThresholdPopulation("lin", 2, np.zeros(2, np.int32), start_step=4, role="block_linear"),
        Readout("readout", 2, "classification", start_step=5, scale=1.0, bias=np.zeros(2)),
    ]
    groups = [
        synapses("enc_in", "input", "enc", [[2], [4]], "encoder", graded=True),
        synapses("B0", "enc", "hrf", [[2, 0]], "B"),
        synapses("C", "hrf", "c", [[2], [-2]], "C"),
        synapses("D0", "enc", "c", [[2, 0], [0, 2]], "D"),
        synapses("W", "c", "lin", [[2, 2], [2, 0]], "linear", weight_exp=1),
        synapses("readout_0", "enc", "readout", [[2, 2], [2, 2]], "readout"),
        synapses("readout_1", "lin", "readout", [[2, 0], [0, 2]], "readout"),
    ]
    config = {"hidden_size": 2, "state_size": 1, "num_blocks": 1, "input_size": 1, "output_size": 2,
              "task": "classification", "scheme": scheme, "fir_taps": 0, "output_step": 1}
    return Network(nodes=nodes, synapses=groups, metadata={"model_config": config})


def hand_activity():
    # Spikes per neuron over both samples; events = spikes x non-zero outgoing weights.
    return Activity(
        samples=SAMPLES,
        steps=STEPS,
        length=LENGTH,
        outputs=np.zeros((SAMPLES, 2)),
        predictions=np.zeros(SAMPLES, np.int64),
        spike_counts={"enc": np.array([3, 1]), "hrf": np.array([2]), "c": np.array([1, 1]), "lin": np.array([1, 0])},
        neuron_updates={"enc": 2 * 9 * 2, "hrf": 1 * 8 * 2, "c": 2 * 7 * 2, "lin": 2 * 6 * 2, "readout": 2 * 5 * 2},
        synaptic_events={"enc_in": 0, "B0": 3 * 1 + 1 * 0, "C": 2 * 2, "D0": 3 + 1, "W": 1 * 2 + 1 * 1,
                         "readout_0": 4 * 2, "readout_1": 1 * 1},
        # 6 non-zero input payloads, each reaching 2 synapses.
        graded_events={"enc_in": 6 * 2, "B0": 0, "C": 0, "D0": 0, "W": 0, "readout_0": 0, "readout_1": 0},
        saturations={"enc": 0, "hrf": 1, "c": 0, "lin": 0},
    )


# Hand-computed totals over both samples.
BINARY = 3 + 4 + 4 + 3 + 8 + 1  # 23
GRADED = 12
# Paper events: source spikes x fan-out for B0 (4 x 1), C (2 x 2), W (2 x 2), readout (4 x 2 + 1 x 2).
PAPER = 4 + 4 + 4 + 8 + 2  # 22
UPDATES = {"enc": 36, "hrf": 16, "c": 28, "lin": 24, "readout": 20}
SPIKES = {"enc": 4, "hrf": 2, "c": 2, "lin": 1, "readout": 0}
# Outgoing groups: enc -> B0, D0, readout_0; hrf -> C; c -> W; lin -> readout_1.
AXON_OUT = {"enc": 12, "hrf": 2, "c": 2, "lin": 1, "readout": 0}
INPUT_MESSAGES = 1 * 5 * 1 * 2  # channel x input steps x groups x samples
HOST_MACS = 2 * 2  # classes x samples
INCOMING = {"enc": 12, "hrf": 3, "c": 8, "lin": 3, "readout": 9}
OPERATIONS = {  # (multiplies, adds, shifts, compares) per population, per HRF form
    "imex": {"hrf": (48, 80, 32, 80)},
    "general": {"hrf": (96, 128, 32, 80)},
}
# Threshold units compare once per update. c merges two groups (1 add per update). W has
# weight_exp 1 (1 shift per lin update). The readout adds once per update, plus one merge add.
COMMON_OPERATIONS = {"enc": (0, 0, 0, 36), "c": (0, 28, 0, 28), "lin": (0, 0, 24, 24), "readout": (0, 40, 0, 0)}


@pytest.mark.parametrize("scheme,form", [("imex", "imex"), ("im", "general")])
def test_hand_network_counts(scheme, form):
    counts = count_operations(hand_network(scheme), hand_activity())

    assert counts.total("binary_events") == BINARY
    assert counts.total("graded_events") == GRADED
    assert counts.total("paper_events") == PAPER
    groups = {group.name: group for group in counts.synapse_groups}
    assert groups["D0"].paper_events == 0
    assert groups["enc_in"].paper_events == 0
    assert groups["readout_1"].paper_events == 2
    assert counts.total("nonzero_synapses") == 16
    assert counts.total("synapses") == 22

    expected_operations = {**COMMON_OPERATIONS, **OPERATIONS[form]}
    for population in counts.populations:
        name = population.name
        assert population.neuron_updates == UPDATES[name], name
        assert population.spikes == SPIKES[name], name
        assert population.axon_out == AXON_OUT[name], name
        assert population.incoming_events == INCOMING[name], name
        operations = (population.multiplies, population.adds, population.shifts, population.compares)
        assert operations == expected_operations[name], name
    assert {population.name: population.update_form for population in counts.populations}["hrf"] == form

    assert counts.input.messages == INPUT_MESSAGES
    assert counts.host.macs == HOST_MACS
    assert counts.host.nonlinearities == 0


def test_hand_network_footprint():
    footprint = count_operations(hand_network(), hand_activity()).footprint
    assert footprint.weight_bits == 22 * 8
    assert footprint.delay_bits == 0
    assert footprint.state_bits == 1 * 2 * 24 + 2 * 32  # HRF u, v and the readout accumulators
    assert footprint.parameter_bits == 7 * 32 + 3 * 32  # 7 thresholds and 3 imex coefficients
    assert footprint.bytes == (176 + 112 + 320) // 8


def test_hand_network_neurobench():
    result = estimate_energy(hand_network(), hand_activity(), ["cmos45nm"])
    metrics = result["neurobench"]
    assert metrics["Effective_ACs"] == BINARY / 2
    assert metrics["Effective_MACs"] == (GRADED + HOST_MACS) / 2
    # Synapses x active steps of the target x samples, plus the host MACs.
    dense = 2 * 9 * 2 + 2 * 8 * 2 + 2 * 7 * 2 + 4 * 7 * 2 + 4 * 6 * 2 + 4 * 5 * 2 + 4 * 5 * 2 + HOST_MACS
    assert metrics["Dense"] == dense / 2
    assert metrics["MembraneUpdates"] == (36 + 16 + 28 + 24) / 2
    assert metrics["ActivationSparsity"] == pytest.approx(1 - 9 / 104)
    assert metrics["ConnectionSparsity"] == pytest.approx(6 / 22)
    assert metrics["Footprint"] == 76


def _static_loihi(power_w):
    # Busiest core per step: (incoming events x 3.5 ns + updates x compartments x 8.4 ns) / (2 x 10).
    busy = {
        "enc": (12 * 3.5 + 36 * 8.4) / 20,
        "hrf": (3 * 3.5 + 16 * 2 * 8.4) / 20,
        "c": (8 * 3.5 + 28 * 8.4) / 20,
        "lin": (3 * 3.5 + 24 * 8.4) / 20,
        "readout": (9 * 3.5 + 20 * 8.4) / 20,
    }
    step = max(busy.values()) * NS
    assert step == pytest.approx(17.22 * NS)
    return power_w * step * STEPS


def _expected_complete(name):
    compartment_updates = 36 + 16 * 2 + 28 + 24 + 20  # HRF neurons count as two compartments
    messages = sum(AXON_OUT.values()) + INPUT_MESSAGES
    if name == "loihi1":
        return (BINARY * 23.6 + GRADED * 23.6 + compartment_updates * 81 + messages * 1.7 + HOST_MACS * 4.6) * PJ / 2 + _static_loihi(0.104)
    if name == "loihi1-sanafe":
        neuron = (compartment_updates - 9) * 72.8 + 9 * 69.3
        return (BINARY * 35.5 + GRADED * 35.5 + neuron + messages * 76.8 + HOST_MACS * 4.6) * PJ / 2 + _static_loihi(0.104)
    if name == "loihi2":
        return (BINARY * 23.6 + GRADED * 23.6 + compartment_updates * 81 + messages * 1.7 + HOST_MACS * 4.6) * PJ / 2 + _static_loihi(0.28)
    # cmos45nm, imex: multiplies 48; adds 80 + 28 + 40 plus shifts 32 + 24; compares 36 + 80 + 28 + 24.
    neuron = 48 * 3.1 + (148 + 56) * 0.1 + 168 * 0.1
    return (BINARY * 0.9 + GRADED * 4.6 + neuron + HOST_MACS * 4.6) * PJ / 2


SYNAPTIC_OP_PJ = {"loihi1": 23.6, "loihi1-sanafe": 35.5, "loihi2": 23.6, "cmos45nm": 0.9}


@pytest.mark.parametrize("name", PROFILES)
def test_hand_network_energy(name):
    result = estimate_energy(hand_network(), hand_activity(), [name])
    energy = result["profiles"][name]["energy_j_per_sample"]
    assert energy["paper"] == pytest.approx(PAPER * SYNAPTIC_OP_PJ[name] * PJ / 2, rel=1e-12)
    assert energy["complete"] == pytest.approx(_expected_complete(name), rel=1e-12)

    layers = result["profiles"][name]["layers"]
    assert sum(layer["energy_j_per_sample"] for layer in layers) + result["profiles"][name]["static"]["energy_j_per_sample"] == pytest.approx(energy["complete"], rel=1e-12)
    assert result["profiles"][name]["constants"]["energy.synaptic_op"]["value"] == SYNAPTIC_OP_PJ[name]


def test_paper_accounting_at_paper_constant():
    result = estimate_energy(hand_network(), hand_activity(), ["loihi1"])
    assert result["paper"]["synaptic_ops_per_sample"] == PAPER / 2
    assert result["paper"]["energy_j_per_sample"] == pytest.approx(PAPER / 2 * 0.9 * PJ, rel=1e-12)


def test_fir_taps_counted_once_in_paper():
    network = hand_network()
    network.synapses.append(
        DenseSynapses("readout_1_tap1", "lin", "readout", np.array([[2, 2], [2, 2]], np.int16), 0, role="readout")
    )
    activity = hand_activity()
    activity.synaptic_events["readout_1_tap1"] = 1 * 2
    activity.graded_events["readout_1_tap1"] = 0
    counts = count_operations(network, activity)
    assert counts.total("paper_events") == PAPER
    assert counts.total("binary_events") == BINARY + 2


def test_linoss_baseline_hand_counts():
    components = linoss_counts(hand_network().metadata["model_config"], LENGTH)
    assert sum(part.macs for part in components) == 186
    assert sum(part.adds for part in components) == 72
    assert sum(part.nonlinearities for part in components) == 20

    result = estimate_energy(hand_network(), hand_activity(), ["cmos45nm"], baseline="linoss")
    baseline = (186 * 4.6 + 72 * 0.9 + 20 * 4.6) * PJ
    assert result["baseline_energy_j_per_sample"] == pytest.approx(baseline, rel=1e-12)
    complete = result["profiles"]["cmos45nm"]["energy_j_per_sample"]["complete"]
    assert result["ratio"]["cmos45nm"]["complete"] == pytest.approx(baseline / complete, rel=1e-12)


def test_linoss_baseline_regression_head():
    config = dict(hidden_size=4, state_size=2, num_blocks=2, input_size=3, output_size=1,
                  task="regression", output_step=8)
    head = linoss_counts(config, 64)[-1]
    assert (head.macs, head.adds, head.nonlinearities) == (8 * 4, 8, 8)


def test_baseline_needs_model_config():
    network = hand_network()
    network.metadata.clear()
    with pytest.raises(ShareNeuroError, match="model_config"):
        estimate_energy(network, hand_activity(), ["cmos45nm"], baseline="linoss")


def test_missing_spike_counts_rejected():
    activity = hand_activity()
    del activity.spike_counts["hrf"]
    with pytest.raises(ShareNeuroError, match="'hrf'"):
        count_operations(hand_network(), activity)


def test_report_json_and_plot(tmp_path):
    result = estimate_energy(hand_network(), hand_activity(), list(PROFILES), baseline="linoss")
    table = format_table(result)
    for name in PROFILES:
        assert name in table

    write_json(result, tmp_path / "energy.json")
    loaded = json.loads((tmp_path / "energy.json").read_text())
    assert loaded["profiles"]["loihi1"]["energy_j_per_sample"]["complete"] == pytest.approx(_expected_complete("loihi1"))

    plot_energy(result, tmp_path / "energy.png")
    assert (tmp_path / "energy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["energy.json", "energy.png"]


def test_energy_figure_panels():
    import matplotlib.pyplot as plt

    result = estimate_energy(hand_network(), hand_activity(), list(PROFILES), baseline="linoss")
    figure = energy_figure(result)
    try:
        layer_axis, total_axis, rate_axis = figure.axes[:3]

        rows = [label.get_text() for label in layer_axis.get_yticklabels()]
        assert rows[-1] == "static power"
        assert [text.get_text() for text in layer_axis.get_legend().get_texts()] == list(PROFILES)
        markers = {tuple(collection.get_paths()[0].vertices.round(3).ravel()) for collection in layer_axis.collections}
        assert len(markers) == len(PROFILES)

        static = result["profiles"]["loihi2"]["breakdown_j_per_sample"]["static"]
        loihi2 = layer_axis.collections[PROFILES.index("loihi2")].get_offsets()
        assert static > 0
        assert static in loihi2[:, 0]

        baseline_lines = [line for line in total_axis.get_lines() if line.get_linestyle() == "--"]
        assert len(baseline_lines) == 1
        assert baseline_lines[0].get_xdata()[0] == pytest.approx(result["baseline_energy_j_per_sample"])
        labels = [text.get_text() for text in total_axis.texts]
        assert len(labels) == len(PROFILES)
        assert all(label.startswith("LinOSS / complete = ") for label in labels)

        assert rate_axis.get_title(loc="left") == "Firing rate per population"
        assert len(rate_axis.patches) == len(result["firing_rates"])
    finally:
        plt.close(figure)


def test_energy_figure_without_baseline():
    import matplotlib.pyplot as plt

    result = estimate_energy(hand_network(), hand_activity(), ["loihi1", "loihi2"])
    figure = energy_figure(result)
    try:
        total_axis = figure.axes[1]
        assert [line for line in total_axis.get_lines() if line.get_linestyle() == "--"] == []
        assert len(total_axis.texts) == 0
    finally:
        plt.close(figure)


@pytest.mark.parametrize("ratio, text", [
    (19.56, "19.6"), (1234.5, "1230"), (1.0, "1"), (0.0765, "0.0765 (13.1x more)"),
    (0.2421, "0.242 (4.13x more)"), (float("inf"), "inf (spiking energy is 0)"),
])
def test_format_ratio(ratio, text):
    assert format_ratio(ratio) == text


def test_energy_cli_json_keys(tmp_path):
    from share_neuro.network.hdf5 import save_network
    from share_neuro.network.synthetic import random_share_network

    network = random_share_network(3, inputs=2, hidden=8, state=4, blocks=1, classes=2)
    network.metadata["model_config"] = {"hidden_size": 8, "state_size": 4, "num_blocks": 1, "input_size": 2,
                                        "output_size": 2, "task": "classification", "scheme": "imex",
                                        "fir_taps": 0, "output_step": 1}
    save_network(network, tmp_path / "net.h5")
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "data.npz", X=rng.normal(size=(40, 12, 2)).astype(np.float32), y=rng.integers(0, 2, 40))

    json_path, plot_path = tmp_path / "energy.json", tmp_path / "energy.png"
    arguments = ["energy", str(tmp_path / "net.h5"), "--dataset", str(tmp_path / "data.npz"), "--limit", "3",
                 "--profile", "loihi1", "--profile", "cmos45nm", "--baseline", "linoss",
                 "--json", str(json_path), "--plot", str(plot_path)]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output

    report = json.loads(json_path.read_text())
    assert set(report["profiles"]) == {"loihi1", "cmos45nm"}
    for entry in report["profiles"].values():
        assert set(entry["energy_j_per_sample"]) == {"paper", "complete"}
        assert entry["energy_j_per_sample"]["complete"] > 0
        assert "energy.synaptic_op" in entry["constants"]
    assert report["samples"] == 3
    assert report["baseline_energy_j_per_sample"] > 0
    assert set(report["ratio"]["loihi1"]) == {"paper", "complete"}
    assert {"Effective_ACs", "Effective_MACs", "Dense", "ActivationSparsity", "ConnectionSparsity",
            "Footprint"} <= set(report["neurobench"])
    assert report["counts"]["synapse_groups"]
    assert plot_path.is_file()


def test_energy_cli_channel_mismatch(tmp_path):
    from share_neuro.network.hdf5 import save_network
    from share_neuro.network.synthetic import random_share_network

    save_network(random_share_network(3, inputs=2, hidden=8, state=4, blocks=1, classes=2), tmp_path / "net.h5")
    np.savez(tmp_path / "data.npz", X=np.zeros((10, 12, 1), np.float32), y=np.arange(10) % 2)
    plot_path = tmp_path / "energy.png"

    result = CliRunner().invoke(main, ["energy", str(tmp_path / "net.h5"), "--dataset", str(tmp_path / "data.npz"),
                                       "--profile", "loihi2", "--plot", str(plot_path)])
    assert result.exit_code == 2
    assert "has 1 channel but the network's input node reads 2" in result.output
    assert not plot_path.exists()


def test_energy_cli_unknown_profile_exit_code(tmp_path):
    result = CliRunner().invoke(main, ["energy", str(tmp_path / "missing.h5"), "--dataset", "x", "--profile", "loihi9"])
    assert result.exit_code == 2
    assert "loihi9" in result.output
