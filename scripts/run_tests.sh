#!/usr/bin/env bash
# Run the whole test suite: the main environment's tests, then the Lava environment's.
# Lava tests never skip for a missing Lava: that is a failure here.
set -euo pipefail
cd "$(dirname "$0")/.."
export SHARE_NEURO_LAVA_PYTHON="$PWD/.venv-lava/bin/python"
status=0
.venv/bin/python -m pytest -q -p no:cacheprovider tests --ignore=tests/lava "$@" || status=$?
.venv-lava/bin/python -m pytest -q -p no:cacheprovider tests/lava "$@" || status=$?
exit $status
