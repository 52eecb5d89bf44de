"""Run hidden checks on a learner's namespace: all the tests of one notebook in one pytest session."""
from __future__ import annotations

import contextlib
import io
import os

import pytest

from autograder.checking.errors import CheckFailed, GraderError
from autograder.checking.plugin import CELL_FAILURES, NAMESPACE, failure_message
from autograder.course import CHECKS_DIR, check_module_path
from autograder.results import NOT_IMPLEMENTED

# Built-in pytest plugins the checks do not need; unraisableexception alone costs a 0.3 s gc
# pass per session.
_UNUSED_PLUGINS = (
    "unraisableexception", "threadexception", "warnings", "doctest", "junitxml", "pastebin",
    "stepwise", "cacheprovider", "legacypath", "faulthandler", "logging", "debugging",
)


class _Session:
    """pytest plugin object: hands the namespace over and keeps each test's outcomes."""

    def __init__(self, namespace: dict, cell_failures: list | None):
        self.namespace = namespace
        self.cell_failures = cell_failures or []
        self.outcomes: dict[str, list[tuple[str, str | None]]] = {}  # test -> [(outcome, message)]

    def pytest_configure(self, config):
        config.stash[NAMESPACE] = self.namespace
        config.stash[CELL_FAILURES] = self.cell_failures

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if report.failed or report.skipped or report.when == "call":
            self.outcomes.setdefault(item.originalname, []).append((report.outcome, _message(call.excinfo)))
        return report


def _message(excinfo) -> str | None:
    if excinfo is None:
        return None
    error = excinfo.value
    if isinstance(error, (pytest.fail.Exception, pytest.skip.Exception)):
        return error.msg
    if isinstance(error, AssertionError) and str(error):
        # Under an outer pytest run (our own tests) asserts may be rewritten, which appends
        # "\nassert <expression>"; the learner only needs the check's own words.
        return str(error).split("\nassert ")[0]
    if isinstance(error, NotImplementedError):
        return NOT_IMPLEMENTED
    # The learner's code raised inside a check (e.g. a callback method called by it).
    return failure_message("Your code raised", error)


def run_checks(assignment_id: str, tests: list[str], namespace: dict,
               cell_failures: list | None = None) -> dict[str, str | None]:
    """Each test's learner message (None: it passed). `cell_failures`: the notebook's cells that
    failed (autograder.results.FailedCell), so that a missing name is explained by them."""
    module = check_module_path(assignment_id)
    if not module.is_file():
        raise GraderError(f"no check module for assignment {assignment_id!r} at {module}")
    session = _Session(namespace, cell_failures)
    args = [*(f"{module}::{test}" for test in tests), "-p", "autograder.checking.plugin",
            "--disable-plugin-autoload",  # no pytest plugin installed in the environment joins
            "--noconftest",          # nothing beside the submission may add fixtures or hooks
            "--assert=plain",        # messages stay the check's own words
            "--capture=sys",
            "-c", os.devnull,        # ignore any pytest configuration around the submission
            "--rootdir", str(CHECKS_DIR), "-q", "--no-header", "--tb=no"]
    for plugin in _UNUSED_PLUGINS:
        args += ["-p", f"no:{plugin}"]
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        exit_code = pytest.main(args, plugins=[session])
    missing = [test for test in tests if test not in session.outcomes]
    if missing:
        raise GraderError(f"checks {missing} did not run (pytest exit {exit_code}):\n{log.getvalue()}")
    return {test: _first_failure(session.outcomes[test], test) for test in tests}


def _first_failure(outcomes, test: str) -> str | None:
    for outcome, message in outcomes:
        if outcome != "passed":
            return message or f"{test} failed"
    return None


def run_check(assignment_id: str, test_name: str, namespace: dict, cell_failures: list | None = None) -> None:
    """One check; raise CheckFailed with the learner's message when it fails."""
    message = run_checks(assignment_id, [test_name], namespace, cell_failures)[test_name]
    if message is not None:
        raise CheckFailed(message)
