"""The feedback report: per-part table with fixes, training curves, the model beside the task,
and nbgrader's feedback below, never showing hidden tests; opened in headless Chromium.

One cheap real grading (`autograder grade --report` on a week 1 notebook with mistakes, no
long training); week 2's results, training history and model records are synthetic.
"""
import json
import os
import shutil
import subprocess
import tempfile

import nbformat
import pytest

from autograder import results
from autograder.feedback.hide_hidden_tests import HideHiddenTests
from autograder.feedback.report import hidden_source_in, render_report
from conftest import ROOT, run_autograder

W1 = "c1w1-housing-prices"
W2 = "c1w2-mnist-callback"

# A learner's week 1: prices in dollars, and an optimizer written for TensorFlow 1.
W1_CODE = {
    "create_training_data": '''def create_training_data():
    n_bedrooms = np.arange(1, 7, dtype=np.float32)
    return n_bedrooms, 50000 + 50000 * n_bedrooms''',
    "define_and_compile_model": '''def define_and_compile_model():
    model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(units=1)])
    model.compile(optimizer=tf.keras.optimizers.SGD(lr=0.01), loss="mean_squared_error")
    return model''',
    "train_model": '''def train_model():
    n_bedrooms, price = create_training_data()
    model = define_and_compile_model()
    model.fit(n_bedrooms, price, epochs=500, verbose=0)
    return model''',
}


@pytest.fixture(scope="module")
def week1(tmp_path_factory):
    """`autograder grade --json --feedback --report` on the learner's week 1."""
    folder = tmp_path_factory.mktemp("report")
    notebook = nbformat.read(ROOT / "assignments" / W1 / f"{W1}.ipynb", as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in W1_CODE:
            cell.source = W1_CODE[grade_id]
    nbformat.write(notebook, folder / "week1.ipynb")
    done = run_autograder("grade", str(folder / "week1.ipynb"), "--json", "--feedback", str(folder / "feedback.html"),
                          "--report", str(folder / "report.html"))
    assert done.returncode == 0, done.stderr
    return folder, json.loads(done.stdout)


def test_the_report_of_a_graded_notebook(week1):
    folder, result = week1
    page = (folder / "report.html").read_text()
    assert hidden_source_in(page) == [] and hidden_source_in((folder / "feedback.html").read_text()) == []
    for test in result["tests"]:
        assert f'id="part-{test["grade_id"]}"' in page
    assert page.count('class="ag-failed" id="part-') == sum(not t["passed"] for t in result["tests"])
    assert f"Score: <b>{result['score']:g} / 5</b>" in page
    # the check's own words, and the fix of the error the learner's optimizer raised
    assert "price should be in hundreds of thousands" in page
    assert ("<code>lr=</code> is the old name of the learning rate.<br><b>Fix:</b> write <code>learning_rate=</code>"
            in page)
    assert "<code>training</code> raised ValueError." in page  # under "Also noticed"
    assert "The grader kept no record of your model" in page
    # nbgrader's feedback follows, without the hidden tests it would show
    assert "Your notebook, as graded" in page and "Grade cell" in page and "Student&#x27;s answer" not in page[:2000]


def part(grade_id, points, message=""):
    return results.TestResult(grade_id, points if not message else 0, points, not message, message)


W2_RESULT = results.SubmissionResult(W2, "learner", 4, 10, [
    part("test_create_and_compile_model_output_shape", 1),
    part("test_create_and_compile_model_compile", 1),
    part("test_create_and_compile_model_parameter_budget", 1),
    part("test_EarlyStoppingCallback_stops_at_threshold", 2,
         "With accuracies per epoch 0.9950, training should stop at epoch 0; your callback never stopped it.\n"
         "Your code reads the metric 'acc', a name Keras 3 never writes. Fix: read 'accuracy'."),
    part("test_EarlyStoppingCallback_message", 1, "When your callback stops training it should print \"...\".\n"
         "Your code reads the metric 'acc', a name Keras 3 never writes. Fix: read 'accuracy'."),
    part("test_train_mnist_stops_early", 2, "Training ran all 10 epochs: the callback should stop it."),
    part("test_train_mnist_test_accuracy", 2),
])
# What the grader keeps of a model and of a training run (autograder.artifacts records).
MODEL = {
    "input_shape": [None, 28, 28], "output_shape": [None, 10], "params": 407050,
    "layers": [{"class": "Flatten", "name": "flatten", "output_shape": [None, 784], "params": 0, "activation": None},
               {"class": "Dense", "name": "dense", "output_shape": [None, 512], "params": 401920, "activation": "relu"},
               {"class": "Dense", "name": "dense_1", "output_shape": [None, 10], "params": 5130,
                "activation": "softmax"}],
    "head": {"units": 10, "activation": "softmax"},
    "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "optimizer": "Adam",
}
ACCURACIES = [0.90, 0.95, 0.97, 0.98, 0.985, 0.991, 0.993, 0.994, 0.995, 0.996]  # 99% in epoch 6, never stopped
W2_ARTIFACTS = {
    "history": {"kind": "history", "call": False,
                "history": {"accuracy": ACCURACIES, "loss": [1.2 - a for a in ACCURACIES]},
                "epoch": list(range(10)), "params": {"epochs": 10, "steps": 1875, "verbose": 2}, "model": MODEL},
    "create_and_compile_model": {"kind": "model", "call": True, "model": MODEL},
}


def autograded_master(assignment_id):
    """A master as autograde leaves it: hidden tests in its test cells, and a failed test cell
    whose traceback quotes them and the grader's code."""
    notebook = nbformat.read(ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_EarlyStoppingCallback_stops_at_threshold":
            cell.outputs = [nbformat.v4.new_output(
                "error", ename="CheckFailed", evalue="your callback never stopped it",
                traceback=[f"----> 8 {line}" for line in cell.source.splitlines()]
                + ["File /work/main/autograder/checks/__init__.py:115, in run_check(assignment_id, test_name, ...)"])]
    return notebook


def w2_report(feedback_html=None):
    return render_report(W2_RESULT, nbformat.writes(autograded_master(W2)), W2_ARTIFACTS, feedback_html)


def test_training_curves_and_the_model_beside_the_task():
    page = w2_report()
    assert page.count('src="data:image/png;base64,') == 1
    assert "read by <code>test_train_mnist_stops_early</code>, <code>test_train_mnist_test_accuracy</code>" in page
    assert "Accuracy reached the target in epoch 6, yet training went on until epoch 10." in page
    assert "<th>Parameters</th><td>407,050</td><td>at most 1,628,200</td>" in page
    assert "<th>Input shape</th><td>(None, 28, 28)</td><td>(None, 28, 28)</td>" in page
    assert "Your layers: Flatten → Dense(512, relu) → Dense(10, softmax)" in page
    # the check's appended fix goes to the fix column; the learner's callback source adds its own
    assert "a name Keras 3 never writes.<br><b>Fix:</b> read &#x27;accuracy&#x27;." in page
    assert 'href="#ag-training"' in page and 'href="#ag-model"' not in page.split('id="part-test_EarlyStopping')[0]
    assert "The fixes above apply here too." in page


def test_learner_text_is_escaped():
    result = results.SubmissionResult(W2, "learner", 0, 1, [part("test_x", 1, "<script>alert(1)</script> `<b>`")])
    model = {"kind": "model", "model": {**MODEL, "loss": "<i>x</i>"}}
    page = render_report(result, None, {"create_and_compile_model": model})
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<code>&lt;b&gt;</code>" in page and "&lt;i&gt;x&lt;/i&gt;" in page


def test_hidden_tests_never_reach_the_page():
    leaking = "<html><head></head><body><pre>### BEGIN HIDDEN TESTS\nrun_check(...)</pre></body></html>"
    assert hidden_source_in(leaking)
    for feedback in (None, leaking):  # built from the notebook, or nbgrader's page made without HideHiddenTests
        page = w2_report(feedback)
        assert hidden_source_in(page) == [], feedback
        assert "Grade cell" in page and "CheckFailed: your callback never stopped it" in page


def test_hide_hidden_tests_leaves_learner_cells_alone():
    notebook = autograded_master(W2)
    learner = nbformat.v4.new_code_cell("x = 1  # BEGIN HIDDEN TESTS, in the learner's own words",
                                        metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": "mine"}})
    notebook.cells.append(learner)
    notebook, _ = HideHiddenTests().preprocess(notebook, {})
    assert all("run_check" not in c.source for c in notebook.cells)
    assert notebook.cells[-1].source == learner.source


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(*args, cwd):
    profile = tempfile.mkdtemp(dir=cwd)
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, cwd=cwd,
    )


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install -y chromium)")
def test_the_report_renders_in_chromium(tmp_path):
    from PIL import Image

    report = tmp_path / "report.html"
    report.write_text(w2_report())
    screenshot = tmp_path / "report.png"
    done = chromium(f"--screenshot={screenshot}", "--window-size=1280,2000", report.as_uri(), cwd=tmp_path)
    assert screenshot.is_file(), done.stderr
    if os.environ.get("AUTOGRADER_KEEP_SCREENSHOT"):  # e.g. to look at it
        shutil.copyfile(screenshot, os.environ["AUTOGRADER_KEEP_SCREENSHOT"])
    dom = chromium("--dump-dom", report.as_uri(), cwd=tmp_path).stdout
    assert dom.count('<tr class="ag-') >= len(W2_RESULT.tests) and 'src="data:image/png;base64,' in dom
    assert hidden_source_in(dom) == []

    pixels = Image.open(screenshot).convert("RGB")
    colours = {pixels.getpixel((x, y)) for x in range(0, pixels.width, 2) for y in range(0, pixels.height, 2)}

    def shows(rgb, tolerance=12):
        return any(all(abs(a - b) <= tolerance for a, b in zip(rgb, colour)) for colour in colours)

    assert shows((198, 40, 40)) and shows((46, 125, 50)), "the table's marks for failed and passed parts"
    assert shows((31, 119, 180)), "the accuracy curve (matplotlib's first colour)"
    assert shows((44, 160, 44)) and shows((214, 39, 40)), "the target line and the epoch budget line"
