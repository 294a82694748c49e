"""Format 1.1: the input time channel, the readout's target scaling, 1.0 files, and the graded int32 rule."""

import h5py
import numpy as np
import pytest

from share_neuro.conversion.build import BuildOptions, build_network
from share_neuro.conversion.calibrate import calibrate
from share_neuro.conversion.source import FloatBlock, FloatModel
from share_neuro.errors import InputFileError
from share_neuro.network.hdf5 import load_network, save_network
from share_neuro.network.nodes import FORMAT_VERSION, InputNode
from share_neuro.network.synthetic import random_share_network
from share_neuro.network.validate import GRADED_SUM_LIMIT, graded_sum_bound, validate_network
from share_neuro.simulation.inputs import quantize_input


def test_format_version_is_1_1():
    assert FORMAT_VERSION == "1.1"


def test_version_1_0_file_reads_with_defaults(tmp_path):
    path = save_network(random_share_network(0, hidden=8, state=4, blocks=1), tmp_path / "net.h5")
    with h5py.File(path, "r+") as file:
        file.attrs["version"] = "1.0"
        for group in file["nodes"].values():
            for name in ("time_channel", "target_center", "target_half_range"):
                if name in group.attrs:
                    del group.attrs[name]

    network = load_network(path)

    assert network.version == "1.0"
    assert network.input.time_channel is False
    assert network.readout.target_center == 0.0
    assert network.readout.target_half_range == 1.0


def test_version_1_1_requires_time_channel(tmp_path):
    path = save_network(random_share_network(0, hidden=8, state=4, blocks=1), tmp_path / "net.h5")
    with h5py.File(path, "r+") as file:
        del file["nodes/input"].attrs["time_channel"]

    with pytest.raises(InputFileError, match="'time_channel' is missing"):
        load_network(path)


def test_time_channel_round_trip(tmp_path):
    network = random_share_network(0, hidden=8, state=4, blocks=1)
    network.input.time_channel = True
    network.input.mean[-1] = 0.0
    network.input.std[-1] = 1.0

    loaded = load_network(save_network(network, tmp_path / "net.h5"))

    assert loaded.input.time_channel is True
    assert loaded.input.data_channels == network.input.size - 1


def test_time_channel_must_not_be_normalised():
    network = random_share_network(0, hidden=8, state=4, blocks=1)
    network.input.time_channel = True
    network.input.mean[-1] = 0.5

    with pytest.raises(InputFileError, match="time channel.*expected 0 and 1"):
        validate_network(network)


def test_time_channel_payload_is_t_over_length():
    node = InputNode(name="input", size=2, mean=np.array([1.0, 0.0]), std=np.array([2.0, 1.0]), frac_bits=4, bits=12,
                     time_channel=True)
    X = np.full((1, 4, 1), 3.0, dtype=np.float32)

    payload = quantize_input(node, X)

    # (3 - 1) / 2 = 1 -> 16; t / 4 for t = 0..3 -> 0, 4, 8, 12 in units of 2**-4.
    np.testing.assert_array_equal(payload[0, :, 0], [16, 16, 16, 16])
    np.testing.assert_array_equal(payload[0, :, 1], [0, 4, 8, 12])


def test_readout_target_half_range_must_be_positive():
    network = random_share_network(0, hidden=8, state=4, blocks=1)
    network.readout.target_half_range = 0.0

    with pytest.raises(InputFileError, match="target_half_range"):
        validate_network(network)


def test_graded_sum_bound_hand_computed():
    weight = np.array([[254, -254, 2], [10, 0, -20]], np.int16)
    # Largest row sum of |w| is 510; 12-bit payloads reach 2**11 in magnitude.
    assert graded_sum_bound(weight, 12) == 510 * 2**11


def test_graded_group_that_can_wrap_is_rejected():
    network = random_share_network(0, hidden=8, state=4, blocks=1)
    network.input.bits = 24
    group = next(synapses for synapses in network.synapses if synapses.graded)
    group.weight[0, :] = 254

    with pytest.raises(InputFileError, match=f"synapse group {group.name!r} weight can sum to .* 2\\*\\*31"):
        validate_network(network)


def test_graded_group_just_below_limit_passes():
    network = random_share_network(0, hidden=8, state=4, blocks=1)
    network.input.bits = 24
    group = next(synapses for synapses in network.synapses if synapses.graded)
    group.weight[:] = 0
    group.weight[:, 0] = 254  # 254 * 2**23 < 2**31

    validate_network(network)
    assert graded_sum_bound(group.weight, 24) < GRADED_SUM_LIMIT


def random_float_model(channels: int, seed: int = 0) -> FloatModel:
    rng = np.random.default_rng(seed)
    hidden, state = 8, 4
    block = FloatBlock(
        B=rng.normal(size=(state, hidden)), A=rng.uniform(0.1, 1.0, state), dt=rng.uniform(0.05, 0.3, state),
        theta_c=rng.uniform(0, 1, state), C=rng.normal(size=(hidden, state)), D=rng.normal(size=hidden),
        theta_d=rng.uniform(0, 1, hidden), linear_weight=rng.normal(size=(hidden, hidden)),
        linear_bias=rng.normal(size=hidden), theta_l=rng.uniform(0, 1, hidden),
    )
    config = {"model": "share-ssm", "task": "classification", "scheme": "imex", "spike_on": "position",
              "num_blocks": 1, "input_size": channels, "time_channel": False, "output_step": 1}
    return FloatModel(
        config=config, normalization={"mean": np.zeros(channels), "std": np.ones(channels)},
        encoder_weight=rng.uniform(-1, 1, size=(hidden, channels)), encoder_bias=rng.normal(size=hidden),
        theta_enc=rng.uniform(0, 1, hidden), blocks=[block], readout_weight=rng.normal(size=(3, hidden)),
        readout_bias=rng.normal(size=3),
    )


@pytest.mark.parametrize("channels, input_bits", [(1500, 16), (6, 24)])
def test_converter_keeps_graded_sums_in_int32(channels, input_bits):
    model = random_float_model(channels)
    X = np.random.default_rng(1).normal(size=(4, 12, channels)).astype(np.float32)

    network, stats = build_network(model, calibrate(model, X, progress=False), BuildOptions(input_bits=input_bits))

    validate_network(network)
    group = next(synapses for synapses in network.synapses if synapses.graded)
    assert graded_sum_bound(group.weight, network.input.bits) < GRADED_SUM_LIMIT
    assert network.input.bits < input_bits
    assert stats.input_bits == network.input.bits
    assert np.abs(group.weight).max() >= 128  # the weights keep their full grid
