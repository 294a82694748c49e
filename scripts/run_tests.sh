#!/usr/bin/env bash
# Run the whole test suite: the main environment's tests, then, in the Lava environment
# (Python 3.10, numpy < 2), the Lava tests and the torch-free tests again, so that the
# deployment core is checked under numpy 1.26 as well as numpy 2.
# Lava tests never skip for a missing Lava: that is a failure here.
set -uo pipefail
cd "$(dirname "$0")/.."
export SHARE_NEURO_LAVA_PYTHON="$PWD/.venv-lava/bin/python"
# Tests of the torch-free core, run again under numpy 1.26 in the Lava environment.
TORCH_FREE_TESTS=(
    tests/test_fixedpoint.py
    tests/test_network_file.py
    tests/test_reference_sim.py
    tests/test_data_hapt.py
    tests/test_profiles.py
    tests/test_energy.py
)
status=0
.venv/bin/python -m pytest -p no:cacheprovider tests --ignore=tests/lava "$@" || status=$?
.venv-lava/bin/python -m pytest -p no:cacheprovider tests/lava "${TORCH_FREE_TESTS[@]}" "$@" || status=$?
exit $status
