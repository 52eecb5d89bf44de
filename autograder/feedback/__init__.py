"""Feedback that teaches: the catalogue of common mistakes and their fixes (`diagnostics`), the
per-submission HTML report, and the step that keeps hidden tests out of nbgrader's feedback."""
