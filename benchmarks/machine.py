"""Facts about the machine a benchmark ran on, shared by the scripts in this folder."""

import platform
from pathlib import Path


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, or the processor name from `platform`."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"
