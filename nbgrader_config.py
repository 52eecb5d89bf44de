"""nbgrader configuration of the course.

`solutions/` holds the instructor master notebooks (nbgrader's source directory) and
`assignments/` the generated starters (its release directory). `autograder grade` and
`autograder batch` load this same file, so a setting made here applies everywhere.
"""
c = get_config()  # noqa: F821 (provided by traitlets)

c.CourseDirectory.course_id = "tf-intro-c1"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
# The gradebook is gradebook.db (SQLite) beside this file unless set to any SQLAlchemy URL:
# c.CourseDirectory.db_url = "postgresql://user@host/gradebook"
# A master's `data/` folder (filled by `autograder data fetch`, git-ignored) is what
# nbgrader copies beside every submission at autograde time, so notebooks read `data/...`.

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Limits for assignments whose master notebook sets no `autograder.limits` (the grader sets
# these from a master's limits before it grades that assignment).
c.GuardedExecute.cell_timeout = 900
c.GuardedExecute.notebook_timeout = 3600
c.GuardedExecute.memory_gib = 3.0

# Sanitizing a submission = nbgrader's default steps, plus RepairGraderMetadata: edited or
# duplicated cell metadata then costs that cell rather than failing the whole notebook.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "autograder.pipeline.preprocessors.repair_grader_metadata.RepairGraderMetadata",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Autograde = nbgrader's default pipeline, with GuardedExecute (limits, determinism, kernel
# deaths, a sandboxed kernel) in place of Execute, then WarningsDoNotFail and RunHiddenChecks:
# hidden test cells only save learner objects in the kernel, and the checks run on them in a
# fresh process, out of the learner code's reach. ClearArtifacts first removes stale copies.
c.Autograde.autograde_preprocessors = [
    "autograder.pipeline.preprocessors.clear_artifacts.ClearArtifacts",
    "autograder.sandbox.execute.GuardedExecute",
    "autograder.pipeline.preprocessors.warnings_do_not_fail.WarningsDoNotFail",
    "autograder.pipeline.preprocessors.run_hidden_checks.RunHiddenChecks",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "autograder.pipeline.preprocessors.limit_output_size.LimitOutputSize",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# TensorFlow's C++ start-up log (absl) ignores TF_CPP_MIN_LOG_LEVEL; keep it out of feedback.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?m)^(WARNING: All log messages before absl::InitializeLog|[IWE]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ \S+:\d+\])"

# `nbgrader zip_collect`: archives are checked for zip bombs and unsafe paths before extraction.
c.ZipCollectApp.extractor_plugin = "autograder.intake.zip_collect.SafeExtractorPlugin"

# Feedback = nbgrader's default steps plus HideHiddenTests: nbgrader's feedback would show the
# hidden tests' source (nbgrader issue #1363) and tracebacks that quote it and the grader's code.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograder.feedback.hide_hidden_tests.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
