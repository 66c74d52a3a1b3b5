"""Refuse, with a message, to load a core compiled for instructions this CPU does not have."""

from __future__ import annotations

import sys


def cpu_flags() -> set | None:
    """The running CPU's feature flags (Linux), or None where they cannot be read cheaply."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(("flags", "Features")):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        return None
    return None


def check_cpu(required=None, present=None) -> None:
    """Raise ImportError if the core needs CPU features the machine lacks."""
    if required is None:
        try:
            from ._build_config import REQUIRED_CPU_FLAGS as required
        except ImportError:  # a build that did not record its flags
            return
    if present is None:
        present = cpu_flags()
    if present is None:
        return
    missing = sorted(set(required) - set(present))
    if missing:
        raise ImportError(
            "linreg's core was compiled for the build machine's CPU (-march=native) and uses "
            f"{', '.join(missing)}, which this CPU does not have. Reinstall linreg from source on "
            "this machine, or build a portable copy with "
            "`pip install . -C cmake.define.LINREG_NATIVE=OFF`."
        )
