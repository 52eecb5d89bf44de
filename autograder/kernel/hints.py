"""Hints for learners, in the visible test cells of the notebooks.

The notebooks import this module when it is installed (the starter falls back to plain
asserts when it is not):

    try:
        from autograder.hints import hint
    except ImportError:
        def hint(passed, **objects):
            print("✓", passed)

`hint("the model is compiled", model=untrained_model)` prints "✓ the model is compiled", or
one "✗ … — fix: …" line per common mistake the diagnostics find in the objects. It never
fails a cell (grading is the hidden checks' job) and knows nothing the task does not state:
diagnostics that compare with hidden values stay silent here.

Importing it in a notebook also makes errors raised by the learner's code end with the fix,
when the error is a known one (an old API, `logs['acc']`, a head that does not fit the loss…).
"""
from __future__ import annotations

from autograder.feedback.diagnostics import diagnose

# Errors the grader wrote for the learner: their message already says what to do.
_GRADER_ERRORS = {"CheckFailed", "GraderError"}


def hint(passed: str, **objects) -> None:
    """Print "✓ <passed>", or a "✗ … — fix: …" line per mistake found in `objects`
    (model=, history=, images=, labels=, source= a function or class, error=)."""
    findings = diagnose(**objects)
    if not findings:
        print(f"✓ {passed}")
    for finding in findings:
        print(_line(finding))


def _line(finding) -> str:
    return f"✗ {finding.seen} — fix: {finding.fix}"


def _show_error_with_fix(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: the usual traceback, then the fix of a known mistake."""
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    if etype.__name__ not in _GRADER_ERRORS:
        for finding in diagnose(error=value):
            print(_line(finding))


def _install_error_hints() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or shell.custom_exceptions:  # not in IPython, or another handler is in place
        return
    shell.set_custom_exc((Exception,), _show_error_with_fix)


_install_error_hints()
