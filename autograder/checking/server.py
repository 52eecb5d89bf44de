"""A warm process for the checks, so that grading a notebook does not start Python, pytest and
TensorFlow anew each time.

Started once per grading process (`python -P -m autograder.checking.server`), it keeps pytest
imported, and each check module once a notebook of its assignment needed it (TensorFlow comes
with the training ones; a quiz never loads it). A job asks for its assignment's module as it
starts (`prewarm`), so that import runs while the learner's notebook does. For every notebook
it forks a fresh child that loads the records and runs the checks: no notebook's objects meet
another's, and, as in a fresh process, no learner code runs. Requests and answers are JSON lines
on the server's stdin and a private copy of its stdout (a preload request gets no answer);
anything the checks print goes to its stderr.
"""
from __future__ import annotations

import atexit
import importlib
import json
import os
import select
import subprocess
import sys
import threading
from pathlib import Path

from autograder.checking.verify import CHECKS_ENV, verify, verify_in_fresh_process
from autograder.environment import run_module
from autograder.results import FailedCell

# ---- in the server process

def serve(requests, answers) -> None:
    for line in requests:
        request = json.loads(line)
        _preload(request["assignment"])
        if request.get("preload"):
            continue
        answers.write(json.dumps(_in_child(request)) + "\n")
        answers.flush()


def _preload(assignment_id: str) -> None:
    try:
        importlib.import_module("autograder.checks.hidden." + assignment_id.replace("-", "_"))
    except Exception:  # the child imports it again and reports what is wrong
        pass


def _in_child(request: dict) -> dict:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one notebook's checks, then gone
        os.close(read)
        with os.fdopen(write, "w") as out:
            out.write(json.dumps(_answer(request)))
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as source:
        payload = source.read()
    os.waitpid(pid, 0)
    return json.loads(payload) if payload else {"error": "the checks' process ended without an answer"}


def _answer(request: dict) -> dict:
    try:
        if request.get("cwd"):
            os.chdir(request["cwd"])
        failures = [FailedCell.from_json(data) for data in request.get("failures", [])]
        return {"outcomes": verify(request["assignment"], Path(request["folder"]), request["tests"], failures)}
    except BaseException as error:
        return {"error": f"{type(error).__name__}: {error}"}


def main() -> int:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")  # the protocol's own channel
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # what the checks print cannot corrupt it
    serve(sys.stdin, answers)
    return 0


# ---- in the grader

class Server:
    """The grader's handle on its warm process (started on first use, ended with the grader)."""

    def __init__(self):
        self.process = subprocess.Popen(
            run_module("autograder.checking.server"),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, **CHECKS_ENV},
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, request: dict) -> None:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()

    def ask(self, request: dict, timeout: float) -> dict:
        self.send(request)
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            raise TimeoutError(f"no answer from the checks' process in {timeout:.0f} s")
        return json.loads(line)

    def close(self) -> None:
        if self.alive():
            self.process.kill()  # our own child, by its pid
        self.process.wait()


_server: Server | None = None
_lock = threading.Lock()


def _running() -> Server:
    """The warm process, started anew when there is none or it died (call with `_lock` held)."""
    global _server
    if _server is None or not _server.alive():
        _server = Server()
        atexit.register(_server.close)
    return _server


def prewarm(assignment_id: str) -> None:
    """Have the warm process import the assignment's checks now, without waiting for it: for a
    training assignment that is TensorFlow, seconds that then pass while the notebook runs."""
    with _lock:
        server = _running()
        try:
            server.send({"assignment": assignment_id, "preload": True})
        except OSError:  # it died as it started: the checks will start another
            server.close()


def verify_outside(assignment_id: str, folder: Path, tests: list[str], cell_failures: list | None = None,
                   timeout: int = 900) -> dict[str, str | None]:
    """Run the checks in another process than the grader's: the warm one, else a fresh one."""
    try:
        return verify_in_warm_process(assignment_id, folder, tests, cell_failures or [], timeout)
    except ValueError:  # the warm process failed: a fresh one decides
        return verify_in_fresh_process(assignment_id, folder, tests, cell_failures, timeout)


def verify_in_warm_process(assignment_id: str, folder: Path, tests: list[str], failures: list,
                           timeout: float) -> dict[str, str | None]:
    """What `verify` answers, from the warm process; ValueError when it could not answer."""
    request = {"assignment": assignment_id, "folder": str(folder), "tests": tests,
               "failures": [failure.to_json() for failure in failures],
               "cwd": str(folder.parent) if folder.is_dir() else None}
    with _lock:
        server = _running()
        try:
            answer = server.ask(request, timeout)
        except (OSError, TimeoutError, ValueError) as error:
            server.close()
            raise ValueError(str(error)) from None
    if "error" in answer:
        raise ValueError(answer["error"])
    return answer["outcomes"]


if __name__ == "__main__":
    sys.exit(main())
