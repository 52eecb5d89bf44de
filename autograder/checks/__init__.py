"""Hidden checks, one pytest module per assignment (`<assignment_id>.py`, dashes as `_`).

A hidden test cell of a master notebook is one line:

    run_check("c1w2-mnist-callback", "test_train_mnist_stops_early", globals())

When grading, that line only saves the learner objects the test reads (`autograder.verify`):
the test itself runs afterwards, outside the learner's kernel, which can neither see nor
patch this package's check modules. Anywhere else (the learner-side `pytest --submission`
runs, the course's own tests) it runs the pytest test against the given namespace and
raises `CheckFailed` with the learner-facing message when it fails.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path

import pytest

from autograder.cell_failures import NOT_IMPLEMENTED
from autograder.pytest_plugin import CELL_FAILURES, NAMESPACE, failure_message

CHECKS_DIR = Path(__file__).resolve().parent


class CheckFailed(AssertionError):
    """A hidden check failed; the message is meant for the learner."""


class GraderError(RuntimeError):
    """The check itself could not run (a bug in the course, not in the submission)."""


def check_module_path(assignment_id: str) -> Path:
    path = CHECKS_DIR / (assignment_id.replace("-", "_") + ".py")
    if not path.is_file():
        raise GraderError(f"no check module for assignment {assignment_id!r} at {path}")
    return path


class _KernelSession:
    """pytest plugin object: hands the namespace over and keeps each test's outcome."""

    def __init__(self, namespace: dict, cell_failures: list | None = None):
        self.namespace = namespace
        self.cell_failures = cell_failures or []
        self.outcomes: list[tuple[str, str | None]] = []  # (outcome, message)

    def pytest_configure(self, config):
        config.stash[NAMESPACE] = self.namespace
        config.stash[CELL_FAILURES] = self.cell_failures

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if report.failed or report.skipped or report.when == "call":
            self.outcomes.append((report.outcome, _message(call.excinfo)))
        return report


def _message(excinfo) -> str | None:
    if excinfo is None:
        return None
    error = excinfo.value
    if isinstance(error, pytest.fail.Exception) or isinstance(error, pytest.skip.Exception):
        return error.msg
    if isinstance(error, AssertionError) and str(error):
        # Under an outer pytest run (our own tests) asserts may be rewritten, which appends
        # "\nassert <expression>"; the learner only needs the check's own words.
        return str(error).split("\nassert ")[0]
    if isinstance(error, NotImplementedError):
        return NOT_IMPLEMENTED
    # The learner's code raised inside a check (e.g. a callback method called by it).
    return failure_message("Your code raised", error)


# Built-in pytest plugins the checks do not need; unraisableexception alone costs a 0.3 s gc
# pass per call, and a notebook makes a dozen calls.
_UNUSED_PLUGINS = (
    "unraisableexception", "threadexception", "warnings", "doctest", "junitxml", "pastebin",
    "stepwise", "cacheprovider", "legacypath", "faulthandler", "logging", "debugging",
)


def run_check(assignment_id: str, test_name: str, namespace: dict, cell_failures: list | None = None) -> None:
    """Run one hidden check on `namespace`; raise CheckFailed if it fails. In the grading kernel
    only save what it reads. `cell_failures`: cells that failed before (autograder.cell_failures),
    so that a missing name is explained by them."""
    __tracebackhide__ = True
    from autograder import verify

    sealed = verify.sealed_spec()
    if sealed is not None:  # in the grading kernel: save, the grader checks
        _export(test_name, sealed.get("tests", {}).get(test_name, {}), namespace, sealed.get("input_shape"))
        return
    module = check_module_path(assignment_id)
    session = _KernelSession(namespace, cell_failures)
    args = [
        f"{module}::{test_name}",
        "-p", "autograder.pytest_plugin",
        "--noconftest",          # nothing beside the submission may add fixtures or hooks
        "--assert=plain",        # messages stay the check's own words
        "--capture=sys",
        "-c", os.devnull,        # ignore any pytest configuration around the submission
        "--rootdir", str(CHECKS_DIR),
        "-q", "--no-header", "--tb=no",
    ]
    for plugin in _UNUSED_PLUGINS:
        args += ["-p", f"no:{plugin}"]
    autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    log = io.StringIO()
    try:
        with contextlib.redirect_stdout(log):
            exit_code = pytest.main(args, plugins=[session])
    finally:
        if autoload is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = autoload
    if not session.outcomes:
        raise GraderError(f"check {test_name!r} did not run (pytest exit {exit_code}):\n{log.getvalue()}")
    for outcome, message in session.outcomes:
        if outcome != "passed":
            raise CheckFailed(message or f"{test_name} failed") from None


_exported: set[str] = set()  # names saved by this kernel; older files of the same name are replaced


def _export(test_name: str, names: dict[str, str], namespace: dict, input_shape=None) -> None:
    from autograder import verify

    if not names:
        raise GraderError(f"the grader has nothing to save for {test_name!r}: list it in the module's VERIFY")
    folder = Path(verify.ARTIFACTS_DIR)  # relative: the notebook's folder is the kernel's cwd
    for name in names:
        if name not in _exported:
            for stale in folder.glob(f"{name}.*"):
                shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
            _exported.add(name)
    verify.export(namespace, names, folder, input_shape)
