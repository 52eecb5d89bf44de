"""Where a grading job's time goes, phase by phase (autograder.pipeline.jobs keeps it, benchmarks/grading.py prints it).

The steps of one job run in one process, nbgrader's preprocessors included, so each adds its
phase here and the job takes the total when it is done."""
from __future__ import annotations

import contextlib
import time

_phases: dict[str, float] = {}


def add(name: str, seconds: float) -> None:
    _phases[name] = _phases.get(name, 0.0) + seconds


@contextlib.contextmanager
def phase(name: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        add(name, time.perf_counter() - started)


def take() -> dict[str, float]:
    """The phases measured since the last call, rounded to milliseconds."""
    taken = {name: round(seconds, 3) for name, seconds in _phases.items()}
    _phases.clear()
    return taken
