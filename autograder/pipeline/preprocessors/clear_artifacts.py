"""ClearArtifacts: removes saved learner objects left beside the notebook (e.g. handed in with it), so the"""
from __future__ import annotations

import shutil
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.artifacts import ARTIFACTS_DIR


class ClearArtifacts(NbGraderPreprocessor):
    """Removes saved learner objects left beside the notebook (e.g. handed in with it), so the
    hidden checks only ever see what this run's kernel saved."""

    needs_worker_files = True  # works on the folder the notebook runs in: not replayed

    def preprocess(self, nb, resources):
        folder = Path(resources["metadata"]["path"]) / ARTIFACTS_DIR
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        elif folder.is_dir():
            shutil.rmtree(folder)
        return nb, resources
