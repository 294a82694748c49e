"""Lava tests run under .venv-lava/bin/python; a missing Lava is a failure, never a skip."""

try:
    import lava  # noqa: F401
    import share_neuro_lava  # noqa: F401
except ImportError as error:
    raise RuntimeError(
        f"tests/lava need lava-nc 0.10.0 and share_neuro_lava ({error}); run them with "
        ".venv-lava/bin/python -m pytest tests/lava after `make env` or `bash scripts/setup_envs.sh lava`"
    ) from error
