"""The checks' own process: run a notebook's hidden checks on the records its grading kernel saved.

Started fresh for every notebook (`python -P -m autograder.checking.verify`, so the notebook's
folder, which learner code wrote, is not on `sys.path`); no learner code runs in it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from autograder.artifacts import records
from autograder.artifacts.spec import verify_spec
from autograder.checking.runner import run_checks
from autograder.environment import run_module
from autograder.results import FailedCell

# The checks' processes: no GPU, no TensorFlow chatter, and `sealed_spec` knows it is not a kernel.
CHECKS_ENV = {"AUTOGRADER_VERIFYING": "1", "CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "2"}
NO_RECORD = ("the grader found no record of {names} from your notebook. The hidden test cell saves it when it "
             "runs; something in the notebook stopped that (e.g. code that replaces or patches the grader).")


def verify(assignment_id: str, folder: Path, tests: list[str], cell_failures: list | None = None) -> dict[str, str | None]:
    """Run `tests` on the saved objects; None where a test holds, else the learner message."""
    spec = verify_spec(assignment_id)
    namespace, problems = records.load(folder) if folder.is_dir() else ({}, {})
    recorded = {path.stem for path in folder.glob("*.json")} if folder.is_dir() else set()
    outcomes, runnable = {}, []
    for test in tests:
        names = spec.get(test, {})
        missing = [name for name in names if name not in recorded]
        if missing:
            outcomes[test] = NO_RECORD.format(names=", ".join(f"`{n}`" for n in missing))
        elif any(name in problems for name in names):
            outcomes[test] = " ".join(problems[name] for name in names if name in problems)
        else:
            runnable.append(test)
    if runnable:
        outcomes.update(run_checks(assignment_id, runnable, namespace, cell_failures))
    return {test: outcomes[test] for test in tests}


def verify_in_fresh_process(assignment_id: str, folder: Path, tests: list[str], cell_failures: list | None = None,
                            timeout: int = 900) -> dict[str, str | None]:
    done = subprocess.run(
        [*run_module("autograder.checking.verify"), assignment_id, str(folder), *tests],
        input=json.dumps([failure.to_json() for failure in cell_failures or []]),
        capture_output=True, text=True, timeout=timeout, cwd=folder.parent if folder.is_dir() else None,
        env={**os.environ, **CHECKS_ENV},
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {test: f"the grader's verification process failed ({reason})" for test in tests}
    return json.loads(lines[-1])


def main(argv: list[str]) -> int:
    assignment_id, folder, *tests = argv
    failures = [FailedCell.from_json(data) for data in json.loads(sys.stdin.read() or "[]")]
    print(json.dumps(verify(assignment_id, Path(folder), tests, failures)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
