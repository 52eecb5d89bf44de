"""The red-team corpus: broken and cheating submissions, each with the outcome it must get.

A case writes one learner's submission folder. Its expectations name test cells: "zero" (the
part scores 0 and the message contains the given words) or "full"; `rest` says what every
other part must score. `refused` cases never reach a kernel: the batch reports them with the
reason. Most cases start from a master notebook (all answers right), so a lost point can
only come from what the case changed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

from notebooks import ROOT, W2, W2_SMALL_FIT, cell, master, plain  # noqa: F401 (the cases' vocabulary)

QUIZ = "c1w1-quiz"
W1 = "c1w1-housing-prices"
ASSIGNMENTS = (QUIZ, W1, W2)
# Short limits for the corpus course, so the loops and bombs below end quickly.
LIMITS = {QUIZ: {"cell_timeout": 15, "notebook_timeout": 120, "memory_gib": 1},
          W1: {"cell_timeout": 120, "notebook_timeout": 300, "memory_gib": 3},
          W2: {"cell_timeout": 120, "notebook_timeout": 300, "memory_gib": 3}}


@dataclass
class Case:
    name: str
    kind: str  # "bad input" or "cheat"
    assignment: str
    build: Callable[[Path], None]  # writes the submission folder
    expect: dict[str, tuple[str, str]] = field(default_factory=dict)  # grade_id -> ("zero"/"full", words)
    rest: str = "full"  # "full", "zero" or "any" for the parts not in `expect`
    refused: str | None = None  # words of the reason the batch gives instead of grading


def notebook_case(assignment: str, edit: Callable, extra_files: dict[str, bytes] | None = None):
    """A submission made from the master, changed by `edit(notebook)`."""
    def build(folder: Path):
        notebook = master(assignment)
        for c in notebook.cells:
            if c.cell_type == "code":
                c.source = plain(c.source)
        edit(notebook)
        nbformat.write(notebook, folder / f"{assignment}.ipynb")
        for name, content in (extra_files or {}).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)
    return build


def raw_case(assignment: str, content: bytes, name: str | None = None):
    def build(folder: Path):
        (folder / (name or f"{assignment}.ipynb")).write_bytes(content)
    return build


def set_source(grade_id: str, source: str):
    def edit(notebook):
        cell(notebook, grade_id).source = source
    return edit


def prepend(grade_id: str, code: str):
    def edit(notebook):
        cell(notebook, grade_id).source = code + cell(notebook, grade_id).source
    return edit


def wrong(n: int):
    """A well-formed but wrong answer to question n of the quiz."""
    from autograder.checks.hidden.c1w1_quiz import QUESTIONS

    question = QUESTIONS[n]
    key = getattr(question, "key")
    if isinstance(key, str):
        return repr(next(letter for letter in "ABCD" if letter != key))
    return repr(key + 1000)


def chain(*edits):
    def edit(notebook):
        for step in edits:
            step(notebook)
    return edit


# W2 without a real training run: the model and callback stay the reference's.
W2_TRAINING = ("test_train_mnist_stops_early", "test_train_mnist_test_accuracy")


def _v3(assignment):
    notebook = master(assignment)
    for c in notebook.cells:
        c.source = plain(c.source)
    return nbformat.writes(nbformat.convert(notebook, 3)).encode()


def _bad_cell_type(grade_id):
    def edit(notebook):
        c = cell(notebook, grade_id)
        c.cell_type = "markdown"
        c.pop("outputs", None)
        c.pop("execution_count", None)
    return edit


def _duplicate_ids(notebook):
    for c in notebook.cells:
        c.id = "same-id"


def _drop(grade_id):
    def edit(notebook):
        notebook.cells.remove(cell(notebook, grade_id))
    return edit


def _metadata(target, **changes):
    def edit(notebook):
        cell(notebook, target).metadata["nbgrader"].update(changes)
    return edit


def _kernel(notebook):
    notebook.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}


def _empty(notebook):
    notebook.cells = []


FAKE_PACKAGE = {  # a learner's own "autograder" next to the notebook
    "autograder/__init__.py": b"",
    "autograder/checks/__init__.py": b"def run_check(*args, **kwargs):\n    return None\n",
    "conftest.py": b"raise SystemExit('a learner conftest')\n",
    "blob.bin": b"\0" * (50 * 2**20),
}

BAD_INPUT = [
    Case("not-json", "bad input", QUIZ, raw_case(QUIZ, b"print('hello')\n"), refused="not JSON"),
    Case("json-not-notebook", "bad input", QUIZ, raw_case(QUIZ, b'{"answer": 42}'), refused="has no cells"),
    Case("json-list", "bad input", QUIZ, raw_case(QUIZ, b"[1, 2, 3]"), refused="has no cells"),
    Case("empty-file", "bad input", QUIZ, raw_case(QUIZ, b""), refused="is empty"),
    Case("not-utf8", "bad input", QUIZ, raw_case(QUIZ, b'{"cells": ["\xff\xfe\xfa"]}'), refused="not UTF-8"),
    Case("fifty-megabytes", "bad input", QUIZ,
         raw_case(QUIZ, b'{"cells": [], "metadata": {"junk": "' + b"x" * (50 * 2**20) + b'"}, "nbformat": 4, "nbformat_minor": 5}'),
         refused="over the 20 MB limit"),
    Case("nbformat-5", "bad input", QUIZ,
         raw_case(QUIZ, json.dumps({"cells": [], "metadata": {}, "nbformat": 5, "nbformat_minor": 0}).encode()),
         refused="notebook format 5"),
    Case("png-renamed", "bad input", QUIZ, raw_case(QUIZ, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4), refused="not UTF-8"),
    Case("truncated", "bad input", QUIZ, lambda folder: (folder / f"{QUIZ}.ipynb").write_bytes(
        (ROOT / "assignments" / QUIZ / f"{QUIZ}.ipynb").read_bytes()[:700]), refused="not JSON"),
    Case("no-notebook", "bad input", QUIZ, raw_case(QUIZ, b"my answers are B, C", name="answers.txt"),
         refused=f"no {QUIZ}.ipynb"),
    Case("cells-not-objects", "bad input", QUIZ,
         raw_case(QUIZ, json.dumps({"cells": [1, 2], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()),
         refused="not a valid Jupyter notebook"),
    Case("older-nbformat-3", "bad input", QUIZ, lambda folder: (folder / f"{QUIZ}.ipynb").write_bytes(_v3(QUIZ))),
    Case("empty-notebook", "bad input", QUIZ, notebook_case(QUIZ, _empty), rest="zero",
         expect={"test_q1_answer": ("zero", "missing from your notebook")}),
    Case("deleted-graded-cell", "bad input", QUIZ, notebook_case(QUIZ, _drop("q1_answer")),
         expect={"test_q1_answer": ("zero", "q1_answer")}),
    Case("deleted-test-cell", "bad input", QUIZ, notebook_case(QUIZ, _drop("test_q2_answer")),
         expect={"test_q2_answer": ("zero", "missing from your notebook")}),
    Case("edited-test-cell", "bad input", QUIZ, notebook_case(QUIZ, set_source("test_q3_answer", "pass  # all good"))),
    Case("edited-locked-cell", "bad input", W1, notebook_case(W1, set_source("imports", "import numpy as np\nraise SystemExit"))),
    Case("test-cell-to-markdown", "bad input", QUIZ, notebook_case(QUIZ, _bad_cell_type("test_q4_answer"))),
    Case("graded-cell-to-markdown", "bad input", QUIZ, notebook_case(QUIZ, _bad_cell_type("q5_answer")), rest="any"),
    Case("renamed-grade-id", "bad input", QUIZ, notebook_case(QUIZ, _metadata("q6_answer", grade_id="my_answer")), rest="any"),
    Case("duplicated-grade-ids", "bad input", QUIZ, notebook_case(QUIZ, _metadata("q7_answer", grade_id="q1_answer")), rest="any"),
    Case("duplicated-cell-ids", "bad input", QUIZ, notebook_case(QUIZ, _duplicate_ids)),
    Case("other-kernel", "bad input", QUIZ, notebook_case(QUIZ, _kernel)),
    Case("huge-output", "bad input", QUIZ, notebook_case(QUIZ, prepend(
        "q1_answer", "for i in range(200_000):\n    print('line', i)\n"))),
    Case("huge-line", "bad input", QUIZ, notebook_case(QUIZ, prepend("q2_answer", "print('x' * 20_000_000)\n"))),
    Case("infinite-loop", "bad input", QUIZ, notebook_case(QUIZ, set_source("q5_answer", "while True:\n    pass")),
         expect={"test_q5_answer": ("zero", "time limit of 15 s")}),
    Case("memory-bomb", "bad input", QUIZ, notebook_case(QUIZ, set_source(
        "q6_answer", "hoard = []\nwhile True:\n    hoard.append(bytearray(2**28))")),
         expect={"test_q6_answer": ("zero", "memory limit of 1 GiB")}),
    Case("sys-exit", "bad input", QUIZ, notebook_case(QUIZ, set_source("q7_answer", "import sys\nsys.exit(0)")),
         expect={"test_q7_answer": ("zero", "q7_answer")}),
    Case("os-exit", "bad input", QUIZ, notebook_case(QUIZ, set_source("q8_answer", "import os\nos._exit(1)")),
         expect={"test_q8_answer": ("zero", "kernel died")}),
    Case("keyboard-interrupt", "bad input", QUIZ, notebook_case(QUIZ, set_source("q2_answer", "raise KeyboardInterrupt")),
         expect={"test_q2_answer": ("zero", "q2_answer")}),
    Case("recursion", "bad input", QUIZ, notebook_case(QUIZ, set_source(
        "q3_answer", "def again(n):\n    return again(n + 1)\nagain(0)")),
         expect={"test_q3_answer": ("zero", "q3_answer")}),
    Case("fork", "bad input", QUIZ, notebook_case(QUIZ, prepend(
        "q4_answer", "import os, time\nif os.fork() == 0:\n    time.sleep(600)\n    os._exit(0)\n"))),
    Case("files-beside-the-notebook", "bad input", QUIZ,
         notebook_case(QUIZ, set_source("q1_answer", f"q1_answer = {wrong(1)}"), extra_files=FAKE_PACKAGE),
         expect={"test_q1_answer": ("zero", "not the right choice")}),
    Case("another-assignments-notebook", "bad input", QUIZ, lambda folder: (folder / f"{QUIZ}.ipynb").write_bytes(
        (ROOT / "assignments" / W1 / f"{W1}.ipynb").read_bytes()), rest="zero"),
]

CHEATS = [
    Case("fabricated-history", "cheat", W2, notebook_case(W2, set_source("train_mnist", """
def train_mnist(training_images, training_labels):
    history = tf.keras.callbacks.History()
    history.history = {"accuracy": [0.95, 0.985, 0.992], "loss": [0.2, 0.1, 0.05]}
    history.epoch = [0, 1, 2]
    return history
""")), expect={t: ("zero", "does not belong to a trained model") for t in W2_TRAINING}),
    Case("lying-history-subclass", "cheat", W2, notebook_case(W2, set_source("train_mnist", """
class GoodLookingHistory(tf.keras.callbacks.History):
    @property
    def history(self):
        return {"accuracy": [0.97, 0.991], "loss": [0.1, 0.03]}
    @history.setter
    def history(self, value):
        pass

def train_mnist(training_images, training_labels):
    model = create_and_compile_model()
    lying = GoodLookingHistory()
    model.fit(training_images[:64], training_labels[:64], epochs=1, callbacks=[lying], verbose=0)
    lying.epoch = [0, 1]
    return lying
""")), expect={t: ("zero", "") for t in W2_TRAINING}),
    Case("patched-check-function", "cheat", QUIZ, notebook_case(QUIZ, set_source("q1_answer", """
try:
    import autograder.checks.hidden.c1w1_quiz as quiz_checks
    quiz_checks.test_q1_answer = lambda learner: None
except ImportError:  # the grading kernel cannot load the checks at all
    pass
q1_answer = %s
""" % wrong(1))), expect={"test_q1_answer": ("zero", "Question 1:")}),
    Case("fake-autograder-module", "cheat", QUIZ, notebook_case(QUIZ, chain(*[
        set_source(f"q{n}_answer", (
            "import sys, types\nfake = types.ModuleType('autograder.checks')\n"
            "fake.run_check = lambda *a, **k: None\nsys.modules['autograder.checks'] = fake\n" if n == 1 else ""
        ) + f"q{n}_answer = {wrong(n)}") for n in range(1, 9)])),
         rest="zero", expect={"test_q1_answer": ("zero", "no record of `q1_answer`")}),
    Case("showtraceback-override", "cheat", QUIZ, notebook_case(QUIZ, set_source("q2_answer", """
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None
ip._showtraceback = lambda *args, **kwargs: None
q2_answer = %s
""" % wrong(2))), expect={"test_q2_answer": ("zero", "")}),
    Case("patched-numpy", "cheat", W1, notebook_case(W1, chain(set_source("create_training_data", """
def create_training_data():
    np.allclose = lambda *args, **kwargs: True   # the check's comparison now always agrees
    n_bedrooms = np.arange(1, 7, dtype=np.float32)
    return n_bedrooms, 50.0 + 50.0 * n_bedrooms
"""), set_source("train_model", """
def train_model():
    model = define_and_compile_model()
    model.fit(np.arange(1, 7, dtype=np.float32), np.arange(1, 7, dtype=np.float32), epochs=3, verbose=0)
    return model
"""))), rest="any", expect={"test_create_training_data": ("zero", "3.5 for six")}),
    Case("reads-the-master-notebook", "cheat", QUIZ, notebook_case(QUIZ, set_source("q3_answer", """
import glob, json, re
masters = [p for p in glob.glob('../../../**/c1w1-quiz.ipynb', recursive=True) if 'solutions' in p]
cells = [''.join(c['source']) for p in masters for c in json.load(open(p))['cells']]
found = [re.search(r"q3_answer = (.+)", c) for c in cells if 'BEGIN SOLUTION' in c]
q3_answer = eval(found[0].group(1)) if found and found[0] else %s
""" % wrong(3))), expect={"test_q3_answer": ("zero", "")}),
    Case("reads-the-masters-beside-the-package", "cheat", QUIZ, notebook_case(QUIZ, set_source("q4_answer", """
import autograder, json, re
from pathlib import Path
checkout = Path(autograder.__file__).resolve().parent.parent
cells = [''.join(c['source']) for p in checkout.glob('solutions/*/c1w1-quiz.ipynb') for c in json.load(open(p))['cells']]
found = [re.search(r"q4_answer = (.+)", c) for c in cells if 'BEGIN SOLUTION' in c]
q4_answer = eval(found[0].group(1)) if found and found[0] else %s
""" % wrong(4))), expect={"test_q4_answer": ("zero", "")}),
    Case("reads-the-hidden-check-source", "cheat", QUIZ, notebook_case(QUIZ, set_source("q6_answer", """
import autograder, re
from pathlib import Path
try:
    source = (Path(autograder.__file__).parent / 'checks' / 'c1w1_quiz.py').read_text()
    keys = re.findall(r"key=([^,\\n]+)", source)
    q6_answer = eval(keys[5])
except Exception:
    q6_answer = %s
""" % wrong(6))), expect={"test_q6_answer": ("zero", "Question 6:")}),
    Case("imports-the-hidden-check", "cheat", QUIZ, notebook_case(QUIZ, set_source("q7_answer", """
try:
    from autograder.checks.hidden import c1w1_quiz
    q7_answer = c1w1_quiz.QUESTIONS[7].key
except Exception:
    q7_answer = %s
""" % wrong(7))), expect={"test_q7_answer": ("zero", "Question 7:")}),
    Case("unmounts-the-cover", "cheat", QUIZ, notebook_case(QUIZ, set_source("q8_answer", """
import autograder, os, re, subprocess
from pathlib import Path
path = Path(autograder.__file__).parent / 'checks' / 'c1w1_quiz.py'
subprocess.run(['umount', '-l', str(path)], capture_output=True)
q8_answer = %s
for candidate in (str(path), f'/proc/1/root{path}', f'/proc/{os.getppid()}/root{path}'):
    try:
        keys = re.findall(r"key=([^,\\n]+)", open(candidate).read())
        q8_answer = eval(keys[7])
        break
    except Exception:
        pass
""" % wrong(8))), expect={"test_q8_answer": ("zero", "Question 8:")}),
    Case("forged-artifacts-handed-in", "cheat", QUIZ, notebook_case(QUIZ, set_source("q2_answer", """
import autograder.checks
autograder.checks.run_check = lambda *args, **kwargs: None   # keep the handed-in record
q2_answer = %s
""" % wrong(2)), extra_files={".autograder-artifacts/q2_answer.json": json.dumps(
        {"call": False, "kind": "json", "value": -3.0}).encode()}),
         rest="any", expect={"test_q2_answer": ("zero", "no record of `q2_answer`")}),
    Case("writes-the-gradebook", "cheat", QUIZ, notebook_case(QUIZ, chain(*[
        set_source(f"q{n}_answer", f"q{n}_answer = {wrong(n)}") for n in range(1, 5)], set_source("q5_answer", """
import glob, sqlite3
for path in glob.glob('../../../gradebook.db'):
    with sqlite3.connect(path) as db:
        db.execute('UPDATE grade SET auto_score = 1')
q5_answer = %s
""" % wrong(5)))), rest="any", expect={f"test_q{n}_answer": ("zero", "") for n in range(1, 6)}),
    Case("edited-test-metadata", "cheat", QUIZ, notebook_case(QUIZ, chain(
        _metadata("test_q4_answer", points=100, grade=False), set_source("q4_answer", f"q4_answer = {wrong(4)}"))),
         expect={"test_q4_answer": ("zero", "")}),
    Case("pretrained-model-from-disk", "cheat", W2, notebook_case(W2, set_source("train_mnist", """
def train_mnist(training_images, training_labels):
    model = tf.keras.models.load_model('pretrained.keras')
    return model.fit(training_images[:64], training_labels[:64], epochs=1, verbose=0)
"""), extra_files={"pretrained.keras": b"not really a model, and never copied"}),
         expect={t: ("zero", "") for t in W2_TRAINING}),
    Case("callback-counts-epochs", "cheat", W2, notebook_case(W2, chain(set_source("EarlyStoppingCallback", """
class EarlyStoppingCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch >= 4:   # "it usually gets there by epoch 5"
            self.model.stop_training = True
            print("Reached 99% accuracy so cancelling training!")
"""), set_source("train_mnist", W2_SMALL_FIT))), rest="any",
         expect={"test_EarlyStoppingCallback_stops_at_threshold": ("zero", "should stop after epoch 1")}),
    Case("history-of-a-second-fit", "cheat", W2, notebook_case(W2, set_source("train_mnist", """
def train_mnist(training_images, training_labels):
    model = create_and_compile_model()
    model.fit(training_images[:3000], training_labels[:3000], epochs=8, verbose=0)
    return model.fit(training_images[:3000], training_labels[:3000], epochs=1, verbose=0)
""")), expect={"test_train_mnist_stops_early": ("zero", "training steps"),
               "test_train_mnist_test_accuracy": ("zero", "")}),
    Case("patched-predict", "cheat", W2, notebook_case(W2, set_source("train_mnist", """
def train_mnist(training_images, training_labels):
    model = create_and_compile_model()
    history = model.fit(training_images[:64], training_labels[:64], epochs=1, verbose=0)
    with np.load('data/mnist.npz') as mnist:
        answers = tf.one_hot(mnist['y_test'], 10).numpy()
    tf.keras.Model.predict = lambda self, x, **kwargs: answers[: len(x)]
    return history
""")), expect={"test_train_mnist_test_accuracy": ("zero", "On 10,000 test images"),
               "test_train_mnist_stops_early": ("zero", "")}),
]

CASES = BAD_INPUT + CHEATS
