"""Similarity report benchmark: a synthesised class of N submissions of week 2, timed.

    python benchmarks/similarity.py                # 500 and 2000 submissions
    python benchmarks/similarity.py 500            # the sizes to run
    python benchmarks/similarity.py --baseline 500 # also copydetect's own CopyDetector, all pairs

Submissions come from the hand-written solutions in tests/similarity/files (independent ones
and near-copies), each changed at random the way learners change code: names, comments,
quotes and blank lines, swapped independent lines, other layer sizes, an extra layer or print.
2% are the blank starter and 1% are broken files. Every figure is wall time on this machine.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.similarity.collect import collect
from autograder.similarity.outputs import pairs_csv, write_atomically
from autograder.similarity.report import render
from autograder.similarity.scores import score
from autograder.similarity.settings import DEFAULT_THRESHOLD

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "c1w2-mnist-callback"
FILES = REPO / "tests" / "similarity" / "files" / ASSIGNMENT
SECTION = re.compile(r"^# %% (\S+)\n", re.M)
NAMES = ["model", "history", "callbacks", "acc", "accuracy", "net", "inputs", "outputs", "x", "opt",
         "layer_list", "logs_dict", "stopper", "cb", "done", "metrics", "current", "result", "layers"]
POOL = ["m", "clf", "network", "my_model", "hist", "h", "res", "cbs", "stop_cb", "a", "val", "tmp", "z",
        "data", "out", "thing", "k", "mdl", "stack", "finished"]
COMMENTS = ["# build it", "# TODO tidy up", "# from the lecture", "# this part was tricky", "# check this",
            "# stop early", "# compile here"]


def bases() -> list[dict[str, str]]:
    """The hand-written solutions: grade_id -> source."""
    files = sorted(FILES.glob("*/*.py"))
    return [dict(zip(parts[1::2], parts[2::2])) for parts in (SECTION.split(p.read_text()) for p in files)]


def mutate(source: str, rng: random.Random) -> str:
    for change in (rename, comment, reformat, swap_lines, resize, extra_line):
        if rng.random() < 0.5:
            source = change(source, rng)
    return source


def rename(source: str, rng: random.Random) -> str:
    """Rename a few local names everywhere (not attributes or calls)."""
    for name in rng.sample(NAMES, 4):
        source = re.sub(rf"(?<![.\w]){name}\b(?!\()", rng.choice(POOL), source)
    return source


def comment(source: str, rng: random.Random) -> str:
    lines = source.splitlines()
    body = [i for i, line in enumerate(lines) if line.startswith("    ") and not line.rstrip().endswith((",", "(", "["))]
    for i in sorted(rng.sample(body, min(2, len(body))), reverse=True):
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        lines.insert(i, indent + rng.choice(COMMENTS))
    return "\n".join(line for line in lines if not (line.strip().startswith("#") and rng.random() < 0.3))


def reformat(source: str, rng: random.Random) -> str:
    swapped = source.translate(str.maketrans({"'": '"', '"': "'"})) if rng.random() < 0.5 else source
    return re.sub(r"\n(\s+\S)", lambda m: ("\n" if rng.random() < 0.2 else "") + "\n" + m.group(1), swapped)


def swap_lines(source: str, rng: random.Random) -> str:
    """Swap two adjacent assignments when neither uses the other's name."""
    lines = source.splitlines()
    pairs = [i for i in range(len(lines) - 1) if _independent(lines[i], lines[i + 1])]
    if pairs:
        i = rng.choice(pairs)
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    return "\n".join(lines)


def _independent(first: str, second: str) -> bool:
    assign = re.compile(r"^(\s+)(\w+) = (.+)$")
    a, b = assign.match(first), assign.match(second)
    return bool(a and b and a.group(1) == b.group(1) and not re.search(rf"\b{a.group(2)}\b", b.group(3))
                and not re.search(rf"\b{b.group(2)}\b", a.group(3)) and a.group(2) != b.group(2)
                and not a.group(3).rstrip().endswith(("(", "[", ",")))


def resize(source: str, rng: random.Random) -> str:
    return re.sub(r"Dense\((\d+)", lambda m: f"Dense({rng.choice([64, 128, 256, 512, 1024])}"
                  if m.group(1) != "10" else m.group(0), source)


def extra_line(source: str, rng: random.Random) -> str:
    lines = source.splitlines()
    at = [i for i, line in enumerate(lines) if "Flatten()" in line and line.rstrip().endswith(",")]
    if at and rng.random() < 0.5:
        line = lines[at[0]]
        lines.insert(at[0] + 1, line[: len(line) - len(line.lstrip())] + f"tf.keras.layers.Dropout({rng.choice([0.1, 0.2, 0.3])}),")
    elif lines and lines[-1].strip().startswith("return"):
        indent = lines[-1][: len(lines[-1]) - len(lines[-1].lstrip())]
        lines.insert(len(lines) - 1, indent + 'print("done")')
    return "\n".join(lines)


def synthesise(root: Path, count: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    starter = nbformat.read(REPO / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    solutions = bases()
    for n in range(count):
        path = root / "submitted" / f"learner{n:04d}" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        path.parent.mkdir(parents=True)
        roll = rng.random()
        if roll < 0.01:
            path.write_bytes(b'{"cells": [{"cell_type": "code", "sou')  # cut short
            continue
        cells = {} if roll < 0.03 else {g: mutate(s, rng) for g, s in rng.choice(solutions).items()}
        nbformat.write(_filled(starter, cells), path)


def _filled(starter, cells: dict[str, str]):
    notebook = nbformat.from_dict(starter)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in cells:
            cell.source = cells[meta["grade_id"]]
    return notebook


def course(folder: Path) -> Path:
    shutil.copy(REPO / "nbgrader_config.py", folder)
    for kind in ("solutions", "assignments"):
        (folder / kind / ASSIGNMENT).mkdir(parents=True)
        shutil.copy(REPO / kind / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder / kind / ASSIGNMENT)
    return folder


def timed(label: str, timings: dict, function, *args):
    started = time.perf_counter()
    result = function(*args)
    timings[label] = time.perf_counter() - started
    return result


def run(count: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = course(Path(tmp))
        synthesise(root, count)
        timings: dict[str, float] = {}
        collection = timed("read + fingerprint", timings, collect, root, ASSIGNMENT, None)
        scores = timed("score all pairs", timings, score, collection)
        flagged = scores.flagged(DEFAULT_THRESHOLD)
        timed("pairs.csv", timings, write_atomically, root / "out" / "pairs.csv", pairs_csv(scores))
        html = timed("report.html", timings, render, ASSIGNMENT, collection, scores, flagged, DEFAULT_THRESHOLD, 100)
        timed("write report", timings, write_atomically, root / "out" / "report.html", html)
        csv_file = root / "out" / "pairs.csv"
        distinct = {tuple(c.fingerprint.filtered_code for c in d.cells.values()) for d in collection.learners}
        return {"count": count, "compared": len(collection.learners), "distinct": len(distinct),
                "pairs": csv_file.read_text().count("\n") - 1, "flagged": sum(not p.reference for p in flagged),
                "csv MB": csv_file.stat().st_size / 2**20, **timings, "total": sum(timings.values())}


def baseline(count: int) -> float:
    """copydetect's CopyDetector as it ships: every pair through compare_files, on .py files."""
    from copydetect import CopyDetector

    with tempfile.TemporaryDirectory() as tmp:
        root = course(Path(tmp))
        synthesise(root, count)
        starter = nbformat.read(root / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
        (root / "boilerplate").mkdir()
        (root / "boilerplate" / "starter.py").write_text(_solution_code(starter))
        (root / "py").mkdir()
        for path in (root / "submitted").glob(f"*/{ASSIGNMENT}/*.ipynb"):
            try:
                code = _solution_code(nbformat.read(path, as_version=4))
            except Exception:
                continue
            (root / "py" / f"{path.parts[-3]}.py").write_text(code)
        detector = CopyDetector(test_dirs=[str(root / "py")], boilerplate_dirs=[str(root / "boilerplate")],
                                extensions=["py"], silent=True, autoopen=False)
        started = time.perf_counter()
        detector.run()
        return time.perf_counter() - started


def _solution_code(notebook) -> str:
    return "\n".join(c.source for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[500, 2000])
    parser.add_argument("--baseline", action="store_true", help="also time copydetect's CopyDetector (slow)")
    args = parser.parse_args()
    for count in args.sizes:
        figures = run(count)
        print(f"\n## {count} submissions of {ASSIGNMENT}")
        for key, value in figures.items():
            print(f"  {key:<20} {value:.2f} s" if isinstance(value, float) and key != "csv MB"
                  else f"  {key:<20} {value:.1f}" if isinstance(value, float) else f"  {key:<20} {value}")
        if args.baseline:
            print(f"  {'CopyDetector.run()':<20} {baseline(count):.2f} s (copydetect alone, k=25, all pairs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
