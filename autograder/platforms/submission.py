"""Where a platform put the submission: the notebook in its folder, and which assignment it is.

Two kinds of problem, kept apart because they are told to different people: `Unreadable` is the
learner's to fix (the message says what to submit), `SetupError` is the grader's configuration.
"""
from __future__ import annotations

from pathlib import Path

from autograder.course import assignments
from autograder.pipeline.grade import SubmissionError, read_submission

# Folders that editors and archivers add beside the real files.
IGNORED_PARTS = {".ipynb_checkpoints", "__MACOSX"}


class Unreadable(Exception):
    """The submission cannot be graded as it is; the message tells the learner what to submit."""


class SetupError(Exception):
    """The grader is configured wrongly (not the learner's doing); the message tells the instructor."""


def locate(folder: Path, configured: str | None) -> tuple[Path, str]:
    """The notebook to grade in `folder` and its assignment id (`configured`, when the platform
    says which assignment this is, else what the notebook says)."""
    notebook = find_notebook(folder, configured)
    return notebook, assignment_for(notebook, configured)


def find_notebook(folder: Path, configured: str | None = None) -> Path:
    """The one .ipynb file in `folder` (at any depth); with several, the one named after the
    configured assignment."""
    found = notebooks_in(folder)
    if len(found) == 1:
        return found[0]
    named = [path for path in found if configured and path.name == f"{configured}.ipynb"]
    if len(named) == 1:
        return named[0]
    if not found:
        raise Unreadable(_no_notebook(folder, configured))
    names = ", ".join(str(path.relative_to(folder)) for path in found)
    raise Unreadable(f"Your submission holds {len(found)} notebooks ({names}), so the grader cannot tell "
                     f"which one to grade. Submit only {_expected_name(configured)}.")


def notebooks_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*.ipynb")
                  if path.is_file() and not IGNORED_PARTS & set(path.relative_to(folder).parts))


def _no_notebook(folder: Path, configured: str | None) -> str:
    others = sorted(path.name for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []
    seen = f" (it holds: {', '.join(others[:10])})" if others else " (it is empty)"
    return (f"No Jupyter notebook (.ipynb file) was found in your submission{seen}. "
            f"Submit {_expected_name(configured)}: the notebook you worked in, saved in Jupyter.")


def _expected_name(configured: str | None) -> str:
    return f"your {configured}.ipynb notebook" if configured else "the assignment's notebook (.ipynb)"


def _parse(notebook: Path):
    try:
        return read_submission(notebook)
    except SubmissionError as error:  # the container's path means nothing to the learner
        raise Unreadable(str(error).replace(str(notebook), notebook.name)) from None


def assignment_for(notebook: Path, configured: str | None) -> str:
    """The assignment to grade `notebook` as; a notebook of another assignment is refused here,
    where its grade would otherwise be 0 with every part "missing"."""
    known = assignments()
    if configured is not None and configured not in known:
        raise SetupError(f"This grader is set up for assignment {configured!r}, which this course does not "
                         f"have. Known assignments: {', '.join(known)}.")
    says = _parse(notebook).metadata.get("autograder", {}).get("assignment")
    if configured is not None:
        if says in known and says != configured:
            raise Unreadable(f"{notebook.name} is the notebook of {says}, but this is {configured}. "
                             f"Submit your {configured}.ipynb notebook.")
        return configured
    candidate = says or notebook.stem
    if candidate not in known:
        raise Unreadable(f"The grader cannot tell which assignment {notebook.name} is for. Submit the "
                         f"notebook you were given for the assignment, named like one of: "
                         f"{', '.join(f'{name}.ipynb' for name in known)}.")
    return candidate
