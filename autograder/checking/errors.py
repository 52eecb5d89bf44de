"""How a check ends other than passing."""


class CheckFailed(AssertionError):
    """A hidden check failed; the message is meant for the learner."""


class GraderError(RuntimeError):
    """The check itself could not run (a bug in the course, not in the submission)."""
