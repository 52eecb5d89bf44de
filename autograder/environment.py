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
