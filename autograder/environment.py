"""The one change this package makes to its process's environment, where nbgrader needs it."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def find_scripts() -> None:
    """nbgrader runs `alembic` (its gradebook migrations) as a command when it creates a gradebook:
    put this Python's scripts on PATH when its environment was not activated (`.venv/bin/autograder`,
    a Dask worker started by path, a SLURM job script). Idempotent."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def run_module(module: str) -> list[str]:
    """The command that runs `module` in this Python with the current folder kept off sys.path:
    that folder is the learner's, and a file there (`numpy.py`) must not stand in for a module."""
    if sys.version_info >= (3, 11):
        return [sys.executable, "-P", "-m", module]
    # Python 3.10 has no -P: drop the '' that -c puts first on sys.path, then run the module.
    return [sys.executable, "-c", f"import runpy, sys; del sys.path[0]; runpy.run_module({module!r}, "
                                  "run_name='__main__', alter_sys=True)"]
