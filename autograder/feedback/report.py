"""Feedback report: one self-contained HTML page per graded submission.

On top, our summary: every graded part with its points, the grader's message and the
diagnostics (what went wrong and how to fix it), the training curves against the target
accuracy and the epoch budget, and the learner's model beside what the task asks for. Below
it, nbgrader's own feedback on the autograded notebook.

Hidden tests never reach the page. nbgrader's feedback shows the source of every test cell,
hidden regions included (nbgrader issue #1363), and the tracebacks of failed test cells quote
those lines and the grader's code. `HideHiddenTests`, in the course's GenerateFeedback
pipeline (nbgrader_config.py), removes both; a feedback page that still holds them is
rebuilt here from the autograded notebook through the same step.

(The `report` of a submission is this page; what a batch prints is its summary.)
"""
from __future__ import annotations

import base64
import copy
import functools
import html
import importlib
import io
import json
import re
from pathlib import Path

import nbformat
import nbgrader
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.utils import is_grade, is_solution

from autograder.artifacts import ARTIFACTS_DIR
from autograder.artifacts.spec import verify_spec
from autograder.feedback import diagnostics
from autograder.feedback.hide_hidden_tests import HideHiddenTests

REPORTS_DIR = "reports"  # in the course folder: reports/<student>/<assignment>.html

# What must never be in a page: hidden test regions and the grader's code quoted by tracebacks.
_HIDDEN = re.compile(r"BEGIN HIDDEN TESTS|END HIDDEN TESTS|run_check\(|autograder/checks/[\w/]+\.py:\d+")


def render_report(result, notebook, artifacts: dict | None, feedback_html: str | None = None) -> str:
    """The report page for one graded submission (`autograder.results.SubmissionResult`).

    `notebook`: the autograded notebook (JSON text or a NotebookNode, None if unavailable);
    `artifacts`: the verification records of the learner's objects (`GradedJob.artifacts`);
    `feedback_html`: nbgrader's feedback page, built from `notebook` when not given.
    """
    notebook = _as_notebook(notebook)
    artifacts = artifacts or {}
    expected = _expected(result.assignment)
    reads = verify_spec(result.assignment)
    sources = _solution_sources(notebook)
    parts, unmatched = _parts(result, expected, sources, artifacts, reads)
    noticed = unmatched + _cell_errors(notebook)
    summary = "\n".join([
        f'<h1>Feedback: {_e(result.assignment)}</h1>',
        f'<p class="ag-score">Score: <b>{result.score - result.late_penalty:g} / {result.max_score:g}</b> '
        f'({sum(t.passed for t in result.tests)} of {len(result.tests)} parts passed'
        + (f'; {result.score:g} less a late submission penalty of {result.late_penalty:g}' if result.late_penalty else "")
        + ')</p>',
        _parts_table(parts),
        _training_section(artifacts, expected, reads),
        _model_section(artifacts, expected),
        _noticed_section(noticed),
    ])
    return _page(summary, _nbgrader_body(feedback_html, notebook, result))


def report_for(graded, result, feedback_html: str | None = None) -> str:
    """The report of a worker's `GradedJob` (autograder.pipeline.jobs), once recorded as `result`."""
    name = f"{graded.job.assignment_id}.ipynb"
    return render_report(result, graded.notebooks.get(name), graded.artifacts, feedback_html)


def report_from_course(course, result) -> str:
    """The report of a submission graded in a course folder by plain `nbgrader autograde`, after
    its feedback was generated (the sequential batch path)."""
    folder = course.folder("autograded") / result.student / result.assignment
    notebook = folder / f"{result.assignment}.ipynb"
    artifacts = {path.stem: json.loads(path.read_text()) for path in (folder / ARTIFACTS_DIR).glob("*.json")}
    feedback = course.folder("feedback") / result.student / result.assignment / f"{result.assignment}.html"
    return render_report(result, notebook.read_text() if notebook.is_file() else None, artifacts,
                         feedback.read_text() if feedback.is_file() else None)


def report_path(root: Path, student: str, assignment_id: str) -> Path:
    return Path(root) / REPORTS_DIR / student / f"{assignment_id}.html"


def hidden_source_in(page: str) -> list[str]:
    """Hidden test source found in a page's visible text (empty when there is none)."""
    return sorted(set(_HIDDEN.findall(_visible_text(page))))


# ------------------------------------------------------------------ inputs


def _as_notebook(notebook):
    if notebook is None or isinstance(notebook, nbformat.NotebookNode):
        return notebook
    return nbformat.reads(notebook, as_version=4)


def _check_module(assignment_id: str):
    try:
        return importlib.import_module("autograder.checks.hidden." + assignment_id.replace("-", "_"))
    except ImportError:
        return None


def _expected(assignment_id: str) -> dict:
    return dict(getattr(_check_module(assignment_id), "EXPECTED", None) or {})


def _solution_sources(notebook) -> dict[str, str]:
    """grade_id -> source of each cell the learner wrote."""
    if notebook is None:
        return {}
    return {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in notebook.cells
            if cell.cell_type == "code" and is_solution(cell) and "grade_id" in cell.metadata.get("nbgrader", {})}


# ------------------------------------------------------------------ diagnostics per part


def _split_message(message: str) -> tuple[str, list[tuple[str, str]]]:
    """The check's words, and the diagnostics it appended ("<seen> Fix: <fix>" lines)."""
    text, found = [], []
    for line in (message or "").splitlines():
        seen, separator, fix = line.partition(" Fix: ")
        if separator:
            found.append((seen, fix))
        else:
            text.append(line)
    return "\n".join(text).strip(), found


def _parts(result, expected, sources, artifacts, reads):
    """Per test: (test, message, diagnostics, sections to see); and the source findings no
    failed part took.

    A failed part gets the diagnostics its check appended, those of an error in its message,
    and those of the code it tests (cell `name` for parts `test_name...`), each told once in
    the table. What the learner's model and training record show is told in their sections,
    which the parts that read them point to.
    """
    source_findings = {cell: diagnostics.diagnose(expected, source=source) for cell, source in sources.items()}
    taken, told = set(), set()
    parts = []
    for test in result.tests:
        message, found = _split_message(test.message)
        see = []
        if not test.passed:
            findings = diagnostics.diagnose(expected, error=message)
            for cell, cell_findings in source_findings.items():
                if test.grade_id == f"test_{cell}" or test.grade_id.startswith(f"test_{cell}_"):
                    findings += cell_findings
                    taken.add(cell)
            found += _pairs(findings)
            kinds = {artifacts.get(name, {}).get("kind") for name in reads.get(test.grade_id, {})}
            see = [section for kind, section in (("model", "ag-model"), ("history", "ag-training")) if kind in kinds]
        found = _unique(found)
        fresh = [pair for pair in found if pair[0] not in told]
        told.update(seen for seen, _ in found)
        if found and not fresh:
            see.insert(0, "above")
        parts.append((test, message, fresh, see))
    unmatched = [(f"In `{cell}`: {f.seen}", f.fix) for cell, cell_findings in source_findings.items()
                 if cell not in taken for f in cell_findings]
    return parts, _unique(unmatched)


def _cell_errors(notebook) -> list[tuple[str, str]]:
    """Known mistakes behind errors raised by the cells that are not tests."""
    found = []
    for index, cell in enumerate(notebook.cells if notebook is not None else []):
        if cell.cell_type != "code" or is_grade(cell):
            continue
        name = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                for finding in diagnostics.diagnose(error=f"{output.get('ename')}: {output.get('evalue')}"):
                    found.append((f"`{name}` raised {output.get('ename')}. {finding.seen}", finding.fix))
    return _unique(found)


def _pairs(findings) -> list[tuple[str, str]]:
    return [(finding.seen, finding.fix) for finding in findings]


def _unique(pairs):
    seen, kept = set(), []
    for pair in pairs:
        if pair[0] not in seen:
            seen.add(pair[0])
            kept.append(pair)
    return kept


# ------------------------------------------------------------------ sections


def _e(text) -> str:
    return html.escape(str(text))


def _inline(text: str) -> str:
    """Escaped text with `code` spans, as the messages write them."""
    parts = _e(text).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


def _diagnosis(found) -> str:
    return "".join(f'<p class="ag-fix">{_inline(seen)}<br><b>Fix:</b> {_inline(fix)}</p>' for seen, fix in found)


# Where a part's row points the learner.
_SEE = {
    "above": "The fixes above apply here too.",
    "ag-model": '<a href="#ag-model">Your model beside the task</a> below.',
    "ag-training": '<a href="#ag-training">The training curves</a> below.',
}


def _parts_table(parts) -> str:
    with_fixes = any(found or see for _, _, found, see in parts)  # else no "How to fix it" column
    rows = []
    for test, message, found, see in parts:
        status = "passed" if test.passed else "failed"
        mark = "✓" if test.passed else "✗"
        fixes = _diagnosis(found) + "".join(f'<p class="ag-see">{_SEE[s]}</p>' for s in see)
        rows.append(
            f'<tr class="ag-{status}" id="part-{_e(test.grade_id)}">'
            f'<td class="ag-mark">{mark}</td><td><code>{_e(test.grade_id)}</code></td>'
            f'<td class="ag-points">{test.points:g} / {test.max_points:g}</td>'
            f'<td class="ag-message">{_inline(message) if message else ("Passed." if test.passed else "")}</td>'
            + (f"<td>{fixes}</td>" if with_fixes else "") + "</tr>"
        )
    return ('<h2>Parts</h2><table class="ag-parts"><thead><tr><th></th><th>Part</th><th>Points</th>'
            '<th>What the grader found</th>' + ("<th>How to fix it</th>" if with_fixes else "")
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _training_section(artifacts, expected, reads) -> str:
    histories = {name: record for name, record in sorted(artifacts.items()) if record.get("kind") == "history"}
    if not histories:
        if expected.get("thresholds"):  # a task that trains
            return ('<h2 id="ag-training">Training</h2><p>The grader kept no training record: the training '
                    "cell did not finish, so there are no curves to show.</p>")
        return ""
    blocks = []
    for name, record in histories.items():
        parts = [test for test, names in reads.items() if name in names]
        caption = f"<code>{_e(name)}</code>" + (
            " — read by " + ", ".join(f"<code>{_e(p)}</code>" for p in parts) if parts else "")
        blocks.append(
            f'<figure class="ag-plot"><img alt="Accuracy and loss per epoch of {_e(name)}" '
            f'src="data:image/png;base64,{_plot(record, expected)}"><figcaption>{caption}</figcaption></figure>'
            + _diagnosis(_pairs(f for f in diagnostics.diagnose(expected, history=record)
                                if diagnostics.BY_ID[f.id].subject == "history"))  # the model has its section
        )
    return '<h2 id="ag-training">Training</h2>' + "".join(blocks)


def _plot(record: dict, expected: dict) -> str:
    """Accuracy and loss per epoch, the target lines and the epoch budget, as base64 PNG."""
    # matplotlib takes a second to import: only when a report shows a training run.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    metrics = record.get("history") or {}
    figure = Figure(figsize=(10, 3.6), dpi=100)
    FigureCanvasAgg(figure)
    budget = expected.get("epochs")
    for index, (title, keys) in enumerate((("Accuracy", ("accuracy", "val_accuracy")), ("Loss", ("loss", "val_loss")))):
        axes = figure.add_subplot(1, 2, index + 1)
        for key in keys:
            values = [float(v) for v in metrics.get(key) or []]
            if values:
                axes.plot(range(1, len(values) + 1), values, marker="o", label=key)
        if title == "Accuracy":
            for key, threshold in (expected.get("thresholds") or {}).items():
                colour = "tab:purple" if key.startswith("val_") else "tab:green"
                axes.axhline(threshold, color=colour, linestyle="--", label=f"{key} target {threshold:g}")
        if budget:
            axes.axvline(budget, color="tab:red", linestyle=":", label=f"epoch budget ({budget})")
        axes.set_title(title)
        axes.set_xlabel("epoch")
        axes.grid(alpha=0.3)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize=8, loc="best")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _model_section(artifacts, expected) -> str:
    if not any(key in expected for key in ("input_shape", "head", "max_params")):
        return ""
    summary = _learner_model(artifacts, expected.get("model"))
    if summary is None:
        return ('<h2 id="ag-model">Your model and the task</h2><p>The grader kept no record of your model: the cell '
                "that builds it did not run to the end.</p>")
    units, activation = diagnostics.head_of(summary)
    heads = expected.get("head") or ()
    rows = [
        ("Input shape", _shape(summary.get("input_shape")),
         _shape(expected["input_shape"]) if "input_shape" in expected else "—",
         "input_shape" not in expected or _tuple(summary.get("input_shape")) == tuple(expected["input_shape"])),
        ("Output layer", _unit_text(units, activation), " or ".join(_unit_text(u, a) for u, a in heads) or "—",
         not heads or (units, activation) in [tuple(h) for h in heads]),
        ("Loss", summary.get("loss") or "—", " or ".join(expected.get("loss") or ()) or "—",
         not expected.get("loss") or summary.get("loss") in expected["loss"]),
        ("Parameters", f"{summary.get('params', 0):,}",
         f"at most {expected['max_params']:,}" if expected.get("max_params") else "no limit",
         not expected.get("max_params") or summary.get("params", 0) <= expected["max_params"]),
    ]
    body = "".join(
        f'<tr class="ag-{"passed" if ok else "failed"}"><th>{what}</th><td>{_inline(yours)}</td>'
        f'<td>{_inline(task)}</td><td class="ag-mark">{"✓" if ok else "✗"}</td></tr>'
        for what, yours, task, ok in rows
    )
    layers = " → ".join(_layer_text(layer) for layer in summary.get("layers") or [])
    return ('<h2 id="ag-model">Your model and the task</h2><table class="ag-model"><thead><tr><th></th>'
            f'<th>Your model</th><th>The task</th><th></th></tr></thead><tbody>{body}</tbody></table>'
            f'<p class="ag-layers">Your layers: {_e(layers) or "none"}</p>'
            + _diagnosis(_pairs(diagnostics.diagnose(expected, model=summary))))


def _learner_model(artifacts, name):
    record = artifacts.get(name) if name else None
    if record and record.get("model"):
        return record["model"]
    for record in artifacts.values():  # else the model a training record kept
        if record.get("kind") in ("model", "history") and record.get("model"):
            return record["model"]
    return None


def _tuple(shape):
    return tuple(shape) if shape is not None else None


def _shape(shape) -> str:
    if shape is None:
        return "unknown"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _unit_text(units, activation) -> str:
    return f"{units} unit{'s' if units != 1 else ''}, {activation or 'no'} activation"


def _layer_text(layer: dict) -> str:
    sized = layer.get("class") in ("Dense", "Conv2D") and layer.get("output_shape")
    detail = [str(layer["output_shape"][-1])] if sized else []  # units or filters
    if layer.get("activation") and layer.get("activation") != "linear":
        detail.append(layer["activation"])
    return f"{layer.get('class')}({', '.join(detail)})" if detail else str(layer.get("class"))


def _noticed_section(noticed) -> str:
    if not noticed:
        return ""
    return ("<h2>Also noticed in your notebook</h2><div class=\"ag-noticed\">" + _diagnosis(noticed) + "</div>")


# ------------------------------------------------------------------ the page


_STYLE = """
.ag-report { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; font-size: 14px;
  max-width: 1200px; margin: 1em auto 2em; padding: 0 1em; color: #222; }
.ag-report h1 { font-size: 24px; margin: 0.3em 0; }
.ag-report h2 { font-size: 18px; margin: 1.2em 0 0.5em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.ag-report table { border-collapse: collapse; width: 100%; }
.ag-report th, .ag-report td { border: 1px solid #ddd; padding: 6px 8px; vertical-align: top; text-align: left; }
.ag-report thead th { background: #f3f3f3; }
.ag-report tr.ag-passed td.ag-mark { background: #2e7d32; color: #fff; }
.ag-report tr.ag-failed td.ag-mark { background: #c62828; color: #fff; }
.ag-report td.ag-mark { text-align: center; font-weight: bold; width: 2em; }
.ag-report td.ag-points { white-space: nowrap; }
.ag-report td.ag-message { white-space: pre-wrap; }
.ag-report p.ag-fix { margin: 0 0 0.6em; }
.ag-report code { background: #f5f5f5; padding: 0 3px; border-radius: 3px; font-size: 90%; }
.ag-report .ag-score { font-size: 16px; }
.ag-report figure.ag-plot { margin: 0.5em 0; }
.ag-report figure.ag-plot img { max-width: 100%; border: 1px solid #ddd; }
.ag-report table.ag-model { width: auto; }
.ag-report h2.ag-nbgrader { margin-top: 2em; }
"""


def _page(summary: str, nbgrader_body: str | None) -> str:
    section = (f'<section class="ag-report" id="autograder-report">{summary}'
               '<h2 class="ag-nbgrader">Your notebook, as graded</h2>'
               + ("" if nbgrader_body else "<p>nbgrader's feedback on the notebook is not available.</p>")
               + "</section>")
    if not nbgrader_body:
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Feedback</title>'
                f"<style>{_STYLE}</style></head><body>{section}</body></html>")
    page = nbgrader_body.replace("</head>", f"<style>{_STYLE}</style></head>", 1)
    return re.sub(r"<body[^>]*>", lambda match: match.group(0) + section, page, count=1)


def _nbgrader_body(feedback_html, notebook, result) -> str | None:
    """nbgrader's feedback page without hidden tests and without scripts fetched from the network."""
    if feedback_html and hidden_source_in(feedback_html) and notebook is not None:
        feedback_html = None  # made without HideHiddenTests: rebuild it from the notebook
    if not feedback_html and notebook is not None:
        feedback_html = _nbgrader_feedback(notebook, result)
    if not feedback_html or hidden_source_in(feedback_html):
        return None
    # Self-contained: MathJax (unused by these notebooks) would be fetched from a CDN.
    return re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>', "", feedback_html)


def _nbgrader_feedback(notebook, result) -> str:
    """nbgrader's feedback page for an autograded notebook, with scores from `result` in place of
    the gradebook's (what GenerateFeedback's GetGrades step would put there)."""
    notebook = copy.deepcopy(notebook)
    scores = {test.grade_id: test for test in result.tests}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            test = scores.get(meta.get("grade_id"))
            meta["score"] = test.points if test else 0.0
            meta["points"] = test.max_points if test else meta.get("points", 0.0)
        if meta.get("solution"):
            meta.setdefault("comment", None)
    resources = {"nbgrader": {"notebook": result.assignment, "score": result.score - result.late_penalty,
                              "max_score": result.max_score, "late_penalty": result.late_penalty}}
    body, _ = _feedback_exporter().from_notebook_node(notebook, resources=resources)
    return body


@functools.cache
def _feedback_exporter() -> HTMLExporter:
    """nbgrader's feedback template, loaded once per process: the single writer renders a report
    for every submission of a batch, and loading the templates cost more than rendering."""
    formgrader = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
    exporter = HTMLExporter(
        template_name="feedback",
        extra_template_basedirs=[str(formgrader / "templates")],
        extra_template_paths=[str(path) for path in (  # bootstrap.min.css: nbgrader 0.9.6, then 0.9.5 (Python 3.10)
            formgrader / "static" / "node_modules" / "bootstrap" / "dist" / "css",
            formgrader / "static" / "components" / "bootstrap" / "css") if path.is_dir()],
    )
    exporter.register_preprocessor(HideHiddenTests(enabled=True), enabled=True)
    exporter.register_preprocessor(CSSHTMLHeaderPreprocessor(enabled=True), enabled=True)
    return exporter


def _visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<img\b[^>]*>", " ", page)
    return html.unescape(re.sub(r"(?s)<[^>]+>", "", page))
