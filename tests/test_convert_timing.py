"""Hand-worked cases of the converter's latency and delay planner."""

import pytest

from share_neuro.conversion.build import plan_edges
from share_neuro.conversion.timing import Edge, plan_timing
from share_neuro.errors import ResourceError


def test_chain_latencies_increase_by_one():
    edges = [Edge("a", "input", "p1"), Edge("b", "p1", "p2"), Edge("c", "p2", "p3")]

    plan = plan_timing(["input"], edges)

    assert plan.latency == {"input": 0, "p1": 1, "p2": 2, "p3": 3}
    assert plan.delay == {"a": 0, "b": 0, "c": 0}


def test_skip_connection_gets_aligning_delay():
    # input -> p1 -> p2 -> p3 and input -> p3: the skip must wait 2 steps.
    edges = [Edge("a", "input", "p1"), Edge("b", "p1", "p2"), Edge("c", "p2", "p3"), Edge("skip", "input", "p3")]

    plan = plan_timing(["input"], edges)

    assert plan.latency["p3"] == 3
    assert plan.delay["skip"] == 2
    assert plan.delay["c"] == 0


def test_lag_adds_to_alignment_delay():
    edges = [Edge("a", "input", "p1"), Edge("tap0", "p1", "out"), Edge("tap3", "p1", "out", lag=3),
             Edge("direct", "input", "out", lag=1)]

    plan = plan_timing(["input"], edges)

    assert plan.latency["out"] == 2
    assert plan.delay["tap0"] == 0
    assert plan.delay["tap3"] == 3
    # input (latency 0) must arrive at latency 2 and lag one more step: 2 - 1 - 0 + 1.
    assert plan.delay["direct"] == 2


def test_delay_above_maximum_raises():
    edges = [Edge("a", "input", "p1"), Edge("b", "p1", "p2"), Edge("skip", "input", "p2", lag=5)]

    with pytest.raises(ResourceError, match=r"'skip' needs a delay of 6 steps but the hardware allows at most 4"):
        plan_timing(["input"], edges, max_delay=4)


def test_cycle_is_rejected():
    edges = [Edge("a", "input", "p1"), Edge("b", "p1", "p2"), Edge("c", "p2", "p1")]

    with pytest.raises(ValueError, match="cycle"):
        plan_timing(["input"], edges)


class _TwoBlockModel:
    """The attributes of a FloatModel that `plan_edges` reads."""

    task = "classification"
    blocks = [None, None]
    fir = None


def test_share_ssm_two_blocks_by_hand():
    edges = [edge for edge, _ in plan_edges(_TwoBlockModel())]

    plan = plan_timing(["input"], edges)

    # encoder 1; block 0: hrf 2, c 3, linear 4; block 1: hrf 5, c 6, linear 7; readout 8.
    expected = {"input": 0, "encoder": 1, "block0.hrf": 2, "block0.c": 3, "block0.linear": 4,
                "block1.hrf": 5, "block1.c": 6, "block1.linear": 7, "readout": 8}
    assert plan.latency == expected
    assert plan.delay["encoder.to.block0.hrf"] == 0
    assert plan.delay["encoder.to.block0.c"] == 1
    assert plan.delay["encoder.to.block1.hrf"] == 3
    assert plan.delay["block0.linear.to.block1.hrf"] == 0
    assert plan.delay["encoder.to.block1.c"] == 4
    assert plan.delay["block0.linear.to.block1.c"] == 1
    assert plan.delay["encoder.to.readout"] == 6
    assert plan.delay["block0.linear.to.readout"] == 3
    assert plan.delay["block1.linear.to.readout"] == 0


def test_regression_taps_are_lagged_groups():
    model = _TwoBlockModel()
    model.task = "regression"
    model.blocks = [None]
    model.fir = [0.5, 0.3, 0.2]

    plan = plan_timing(["input"], [edge for edge, _ in plan_edges(model)])

    assert plan.latency["readout"] == 5
    assert [plan.delay[f"block0.linear.to.readout.tap{j}"] for j in range(3)] == [0, 1, 2]
    assert [plan.delay[f"encoder.to.readout.tap{j}"] for j in range(3)] == [3, 4, 5]
