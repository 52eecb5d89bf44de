"""Which submissions are graded and recorded already: submission -> digest of what was graded
(the submission, its master, the configuration), kept in the course's state folder."""
from __future__ import annotations

import json
from pathlib import Path

from autograder.course import STATE_DIR
from autograder.pipeline.course_folder import write_atomically
from autograder.pipeline.jobs import GradingJob


class Ledger:
    """submission -> digest of what was last graded and recorded; written atomically."""

    def __init__(self, root: Path):
        self.path = root / STATE_DIR / "graded.json"
        self.entries = json.loads(self.path.read_text()) if self.path.is_file() else {}

    @staticmethod
    def key(job: GradingJob) -> str:
        return f"{job.student}/{job.assignment_id}"

    def is_current(self, job: GradingJob) -> bool:
        return self.entries.get(self.key(job)) == job.digest

    def record(self, job: GradingJob) -> None:
        self.entries[self.key(job)] = job.digest
        write_atomically(self.path, json.dumps(self.entries, indent=1, sort_keys=True))
