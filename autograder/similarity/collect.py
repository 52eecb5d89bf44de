"""What is compared: each learner's graded cells and each reference file, fingerprinted.

A file that cannot be read, or holds no code of the learner's own, is set aside with a
reason for the report instead of stopping the run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from copydetect import CodeFingerprint

from autograder.similarity import layout
from autograder.similarity.cells import blank_starter_lines, code_cells, solution_cells
from autograder.similarity.fingerprints import boilerplate, fingerprint, own_size
from autograder.similarity.settings import MIN_OWN

REFERENCE_SUFFIXES = (".ipynb", ".py")
WHOLE_FILE = "*"  # the cell key of a reference: its cells are not ours, so all of it is one


@dataclass
class Cell:
    source: str  # as written, for the report
    fingerprint: CodeFingerprint  # of the source with the starter's lines blanked


@dataclass
class Document:
    name: str
    path: Path
    cells: dict[str, Cell]  # grade_id -> cell with enough own code; WHOLE_FILE for a reference


@dataclass
class Skipped:
    name: str
    reason: str


@dataclass
class Collection:
    starter: dict[str, str]
    learners: list[Document] = field(default_factory=list)
    references: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # learners not compared, and why
    skipped_references: list[Skipped] = field(default_factory=list)


def collect(root: Path, assignment_id: str, reference_dir: Path | None = None) -> Collection:
    starter = solution_cells(_read(layout.starter_notebook(root, assignment_id)))
    collection = Collection(starter)
    hashes = boilerplate(list(starter.values()))
    for learner, path in layout.submitted_notebooks(root, assignment_id).items():
        _add_learner(collection, learner, path, hashes)
    for path in reference_files(reference_dir) if reference_dir else []:
        _add_reference(collection, path, reference_dir, hashes)
    return collection


def reference_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in REFERENCE_SUFFIXES and p.is_file()
                  and ".ipynb_checkpoints" not in p.parts)


def _add_learner(collection: Collection, learner: str, path: Path, hashes) -> None:
    try:
        written = solution_cells(_read(path, f"{learner}'s {path.name}"))
    except (OSError, layout.InvalidSubmission) as error:
        collection.skipped.append(Skipped(learner, f"unreadable, skipped: {_reason(error)}"))
        return
    cells = _own_cells(learner, written, collection.starter, hashes)
    if cells:
        collection.learners.append(Document(learner, path, cells))
    else:
        collection.skipped.append(Skipped(learner, _why_empty(written, collection.starter)))


def _own_cells(learner: str, written: dict[str, str], starter: dict[str, str], hashes) -> dict[str, Cell]:
    cells = {}
    for grade_id, scaffold in starter.items():
        source = written.get(grade_id, "")
        fp = fingerprint(f"{learner}/{grade_id}", blank_starter_lines(source, scaffold), hashes)
        if own_size(fp) >= MIN_OWN:
            cells[grade_id] = Cell(source, fp)
    return cells


def _why_empty(written: dict[str, str], starter: dict[str, str]) -> str:
    if not set(written) & set(starter):
        return ("not compared: none of the assignment's graded cells is in the notebook "
                "(another assignment's notebook, or cell metadata lost by copying into a new notebook?)")
    return (f"not compared: fewer than {MIN_OWN} normalised characters of own code in every graded cell "
            "(blank, only the starter's scaffolding, or answers too short to compare)")


def _add_reference(collection: Collection, path: Path, folder: Path, hashes) -> None:
    name = f"reference: {path.relative_to(folder)}"
    try:
        code = code_cells(_read(path, name)) if path.suffix == ".ipynb" else path.read_text("utf-8")
    except (OSError, UnicodeDecodeError, layout.InvalidSubmission) as error:
        collection.skipped_references.append(Skipped(name, f"unreadable, skipped: {_reason(error)}"))
        return
    fp = fingerprint(name, code, hashes)
    collection.references.append(Document(name, path, {WHOLE_FILE: Cell(code, fp)}))


def _read(path: Path, origin: str | None = None):
    return layout.parse_notebook(path.read_bytes(), origin or str(path))


def _reason(error: Exception) -> str:
    if isinstance(error, FileNotFoundError):
        return f"no notebook at {error.filename}"
    return str(error).replace(layout.SAVE_AGAIN, "").strip()  # that advice is for the learner
