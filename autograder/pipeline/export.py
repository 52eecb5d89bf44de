"""Grades out: the gradebook as a CSV file that Canvas imports (Grades → Import).

Canvas's gradebook CSV
(https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807):
the columns Student, ID, SIS User ID, SIS Login ID and Section, in this order, identify each
learner, then one column per assignment: "Name (Canvas id)" updates that Canvas assignment, a new
name creates one. The second row, "Points Possible", gives each assignment's maximum, as in the
files Canvas exports.

A learner's nbgrader id is written as their SIS Login ID (or SIS User ID). With a `roster` (a
gradebook CSV exported from the Canvas course), each learner's Student, ID, SIS User ID and Section
are copied from the roster row with that id, so Canvas matches learners by its own ids. An empty
cell leaves Canvas's grade as it is, so a learner who submitted nothing gets an empty cell, not a
0, unless `missing_as_zero`. Scores are nbgrader's, less any late penalty, as in nbgrader's own
CSV export.

`CanvasExportPlugin` is an nbgrader export plugin: `autograder export --format canvas` uses it,
and so does `nbgrader export` with `c.ExportApp.plugin_class = "autograder.pipeline.export.CanvasExportPlugin"`.
"""
from __future__ import annotations

import csv

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Bool, Dict, Enum, Unicode

from autograder.course import CANVAS_FILE

IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "Points Possible"
DEFAULT_FILE = CANVAS_FILE


class ExportError(Exception):
    """The export cannot be written as asked; the message says what to do."""


class CanvasExportPlugin(ExportPlugin):
    """Export the gradebook as a CSV file for Canvas's gradebook import."""

    id_column = Enum(["SIS Login ID", "SIS User ID"], default_value="SIS Login ID",
                     help="the Canvas column that holds the nbgrader student id").tag(config=True)
    section = Unicode("", help="the Canvas section written for every learner (empty: any)").tag(config=True)
    canvas_ids = Dict(key_trait=Unicode(), value_trait=Unicode(),
                      help="nbgrader assignment -> id of the Canvas assignment its column updates").tag(config=True)
    roster = Unicode("", help="a gradebook CSV exported from the Canvas course: learners' Canvas ids and "
                     "sections are copied from it").tag(config=True)
    missing_as_zero = Bool(False, help="0 for an assignment not submitted (default: an empty cell, which "
                           "leaves the grade in Canvas as it is)").tag(config=True)

    def export(self, gradebook: Gradebook) -> None:
        assignments = [a for a in gradebook.assignments if not self.assignment or a.name in self.assignment]
        students = [s for s in gradebook.students if not self.student or s.id in self.student]
        known = self.roster_rows()
        learners = [self.identity(student, known) + self.scores(gradebook, student.id, assignments)
                    for student in students]
        learners.sort(key=lambda row: (row[0].casefold(), row))  # by name, as Canvas lists them
        rows = [self.header(assignments), self.points_possible(assignments)] + learners
        self.log.info("Exporting grades for Canvas to %s", self.to or DEFAULT_FILE)
        with open(self.to or DEFAULT_FILE, "w", newline="", encoding="utf-8") as file:
            csv.writer(file).writerows(rows)

    def header(self, assignments) -> list[str]:
        return IDENTITY + [self.column(assignment.name) for assignment in assignments]

    def column(self, name: str) -> str:
        return f"{name} ({self.canvas_ids[name]})" if name in self.canvas_ids else name

    def points_possible(self, assignments) -> list[str]:
        return [POINTS_POSSIBLE] + [""] * (len(IDENTITY) - 1) + [_number(a.max_score) for a in assignments]

    def roster_rows(self) -> dict[str, dict]:
        """The Canvas roster's rows by the id nbgrader knows the learner by ({} without a roster)."""
        if not self.roster:
            return {}
        with open(self.roster, newline="", encoding="utf-8-sig") as file:  # Excel adds a BOM
            reader = csv.DictReader(file)
            if self.id_column not in (reader.fieldnames or ()):
                raise ExportError(f"The roster {self.roster} has no {self.id_column!r} column: give the CSV that "
                                  "Canvas exports from the course's Grades (Export → Export Entire Gradebook).")
            return {row[self.id_column]: row for row in reader if row[self.id_column]}

    def identity(self, student, known: dict[str, dict]) -> list[str]:
        if student.id in known:
            return [known[student.id].get(column) or "" for column in IDENTITY]
        if known:
            self.log.warning("%s is not in the Canvas roster %s: Canvas may not match them", student.id, self.roster)
        found = {"Student": _name(student), "ID": _canvas_user_id(student), "Section": self.section,
                 self.id_column: student.id}
        return [found.get(column, "") for column in IDENTITY]

    def scores(self, gradebook: Gradebook, student: str, assignments) -> list[str]:
        return [self.score(gradebook, assignment.name, student) for assignment in assignments]

    def score(self, gradebook: Gradebook, assignment: str, student: str) -> str:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return "0" if self.missing_as_zero else ""
        return _number(max(0.0, submission.score - (submission.late_submission_penalty or 0.0)))


def _name(student) -> str:
    """Canvas's sortable name, "Last, First"; the id when the gradebook has no names."""
    names = [part for part in (student.last_name, student.first_name) if part]
    return ", ".join(names) or student.id


def _canvas_user_id(student) -> str:
    # Canvas user ids are numbers; an LTI id from elsewhere must not be taken for one.
    lms_id = (student.lms_user_id or "").strip()
    return lms_id if lms_id.isdigit() else ""


def _number(value) -> str:
    return f"{float(value or 0):.4f}".rstrip("0").rstrip(".")
