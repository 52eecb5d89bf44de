"""What runs inside the learner's grading kernel, and nothing that decides a grade.

The notebooks import two things: `autograder.checks.run_check` (every hidden test cell) and
`autograder.hints.hint` (the visible test cells). In the grading kernel `run_check` only saves
the objects its test reads (`save`); the checks run later, in another process. Everything the
kernel can import is public: thresholds and answer keys live in autograder/checks/hidden/,
which the sandbox covers.
"""
