"""The live processes of this machine, read from ``/proc``, for tests of what outlives what."""

from pathlib import Path


def live_processes() -> dict[int, tuple[str, int, int]]:
    """Every live process: pid -> (state, parent, group), from ``/proc/<pid>/stat``."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except OSError:  # gone meanwhile
            continue
        if state != "Z":
            found[int(stat.parent.name)] = (state, int(parent), int(group))
    return found
