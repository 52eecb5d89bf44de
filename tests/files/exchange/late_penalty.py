"""A course's late-submission rule, as nbgrader documents it: a `LateSubmissionPlugin` subclass in a
module beside nbgrader_config.py, named by `c.AssignLatePenalties.plugin_class = "late_penalty.OnePointPenalty"`.

nbgrader's commands put the folder they run in on `sys.path`; `autograder batch`, run in the course
folder as `python -m autograder.cli` or the `autograder` script with PYTHONPATH set, finds it too.
Workers of a cluster started elsewhere (`--scheduler`) need it on their path as well.
"""
from nbgrader.plugins import LateSubmissionPlugin


class OnePointPenalty(LateSubmissionPlugin):
    """One point off a late notebook, however late (nbgrader caps a penalty at the score)."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return 1.0
