"""Autograded nbgrader assignments for "Introduction to TensorFlow" (Course 1).

Data flow: solutions/<id> (master notebook) -> assignments/<id> (starter, via `autograder
release`) -> a learner's submission -> `autograder grade`/`batch` (nbgrader autograde with
the hidden checks in `autograder.checks`) -> gradebook -> feedback.
"""
__version__ = "0.1.0"
