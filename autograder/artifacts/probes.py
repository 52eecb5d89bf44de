"""Probes run learner code on set inputs in the kernel (a callback fed epoch logs, an image
function fed sample arrays); each call gets a few seconds, so a hung function costs seconds,
not the cell's whole time limit."""
from __future__ import annotations

import contextlib
import signal
import threading

PROBE_SECONDS = 10


class ProbeTimeLimit(BaseException):  # not an Exception: `except Exception` in learner code cannot swallow it
    """A probed function did not return in time."""


@contextlib.contextmanager
def time_limit(seconds: float | None = None):
    """Raise ProbeTimeLimit in this (the kernel's main) thread after `seconds`, and every second
    after that until the block ends; elsewhere (not the main thread) the block runs unlimited."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    seconds = seconds or PROBE_SECONDS

    def expire(signum, frame):
        raise ProbeTimeLimit(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
