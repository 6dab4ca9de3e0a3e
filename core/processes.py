"""Child processes that never outlive the process that started them.

A process killed without the chance to stop its children (SIGKILL, an out-of-memory kill)
leaves them orphaned. An orphaned embedded beat is worse than waste: it goes on scheduling,
and a restarted worker brings a second one, so every periodic task runs twice.
"""

import contextlib
import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1  # prctl(2)


def stop_when_parent_dies(parent: int) -> None:
    """Called in the child: Linux sends it SIGTERM when ``parent`` dies, however it dies.
    Elsewhere there is no such signal, and stopping the parent's group still stops it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the signal was arranged
        os._exit(1)
