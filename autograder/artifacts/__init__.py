"""What crosses the kernel boundary: the records a grading kernel saves and the checks read.

nbgrader runs hidden tests in the same kernel as the learner's code, which could tamper with
them or read them (thresholds, quiz answer keys). Here the grading kernel never loads a check
module, and cannot read one (autograder.sandbox covers them): a hidden test cell's `run_check`
only saves the learner objects its test reads (`spec`), as records in ARTIFACTS_DIR beside the
notebook (`records`, one codec per kind of object). After the notebook ran, the checks run in
a fresh process on what was saved, where no learner code runs: models load with Keras'
safe_mode, arrays without pickle, datasets from protobuf, callbacks and image functions as
replays of what they did in the kernel.
"""
ARTIFACTS_DIR = ".autograder-artifacts"
EXPORTS_ENV = "AUTOGRADER_EXPORTS"  # JSON spec for the kernel (autograder.artifacts.spec), set by the grader
