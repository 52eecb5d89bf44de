"""The hidden checks' entry point in the notebooks, and the checks themselves in `hidden/`.

A hidden test cell of a master notebook is one line:

    run_check("c1w2-mnist-callback", "test_train_mnist_stops_early", globals())

In the grading kernel that line only saves the learner objects the test reads
(autograder.kernel.save): the test itself runs afterwards, outside the kernel, which can
neither read nor patch `hidden/` (the sandbox covers it). Anywhere else (the learner-side
`pytest --submission` runs, the course's own tests) it runs the test on the given namespace and
raises `CheckFailed` with the learner-facing message when it fails.
"""
from __future__ import annotations

from autograder.artifacts.spec import sealed_spec
from autograder.checking.errors import CheckFailed, GraderError
from autograder.kernel.save import save_for_test

__all__ = ["run_check", "CheckFailed", "GraderError"]


def run_check(assignment_id: str, test_name: str, namespace: dict, cell_failures: list | None = None) -> None:
    """Run one hidden check on `namespace`; raise CheckFailed if it fails. In the grading kernel,
    only save what it reads."""
    __tracebackhide__ = True
    sealed = sealed_spec()
    if sealed is not None:
        save_for_test(test_name, sealed.get("tests", {}).get(test_name, {}), namespace, sealed.get("input_shape"))
        return
    # Not in the kernel: pytest loads only here, so a grading kernel never pays for it.
    from autograder.checking.runner import run_check as run_in_process

    run_in_process(assignment_id, test_name, namespace, cell_failures)
