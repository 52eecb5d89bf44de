"""Imported first by the grader's command lines (never by a learner's kernel): start-up work
that is not the grader's to pay for.

jsonschema, which nbformat and nbgrader import, loads `rfc3987_syntax` when it is installed
(jupyter-events brings it in). That module compiles about forty grammars as it is imported,
about 1 s in every process, for jsonschema's optional "iri" format check, which nothing here
uses. A `None` entry makes that import fail at once, and jsonschema goes on without the check.
"""
import sys

sys.modules.setdefault("rfc3987_syntax", None)
