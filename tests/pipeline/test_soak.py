"""Soak test of the batch path (issue 12): many submissions graded by `autograder batch` while
faults are injected at random; the end state must be that of a clean run.

The course: `AUTOGRADER_SOAK_SUBMISSIONS` submissions (default 200; about 90 % quizzes, 10 %
week 1 housing prices), handed in by learners with one to three assignments each. Every
submission is a copy of one of about twenty distinct notebooks ("variants"): quiz answer sheets
with right answers, right answers written another way, wrong and missing answers, and housing
notebooks solved in part, with training cut short (5 epochs) or solved (500 epochs of one neuron).

The reference: a clean `autograder batch --workers 2` of every variant used, once, in a course of
its own. Grading reads nothing but the notebook (no timestamps here, so no late penalty), so a
submission's gradebook rows must be its variant's clean rows: the whole gradebook is compared
that way, on all N submissions. Each variant's points are also known from how it was built,
which checks the clean run itself.

The faults, while `autograder batch --course C --workers 2` runs as a child process; each is due
after a random share (up to 85 %) of the submissions is recorded plus a random delay, drawn from
a seeded RNG (`AUTOGRADER_SOAK_SEED`); per 200 submissions (at least one of each):

* worker (3): SIGKILL a Dask worker that is grading (a kernel is its child); the nanny starts
  another, the scheduler gives the task out again;
* kernel (4): SIGKILL a grading kernel; its cell gets "The Python kernel died", which `run_job`
  retries once, from scratch;
* checks (3): SIGKILL the warm checks server's fork for one notebook; the grader falls back to a
  fresh checks process (`autograder.checking.verify`);
* server (2): SIGKILL the warm checks server; the same fallback, and a new server next time;
* writer-int (2) / writer-kill (2): SIGINT or SIGKILL the batch process, the single writer, and
  start `autograder batch` again on the same course: the ledger makes it resume;
* writer-done (1): SIGKILL the batch as soon as the ledger holds every submission (the feedback
  and grades.csv come after that), and start it again.

No submission is left out of the comparison, because no fault here may change a score: a
submission's kernel is killed at most once (run_job retries a kernel death once, so a second
kill, in the retry, would legitimately cost a cell), and its worker at most once (Dask gives a
task up after `allowed-failures` worker deaths). A killed checks fork or server is decided again
by a fresh checks process, which the test never kills (killing that one too would fail the
notebook's checks: two faults on one submission). A killed writer loses what it had not
recorded, and the next run grades that from scratch.

At the end:
* every submission recorded exactly once: the gradebook holds one submission per learner and
  assignment with exactly its variant's clean rows, the ledger lists each once, the last run's
  summary adds up to N with nothing failed and nothing recorded regraded, and no kernel was
  started for a submission the ledger already held (graded twice);
* grades.csv agrees with the gradebook, and every submission has its feedback page and report;
* no stray processes: nothing that descends from the batches is left (this test is the child
  subreaper while they run, so orphans stay its descendants), nothing runs as a kernel's uid;
* no stray files: nothing left in the batches' own temporary folder but Dask's scratch space, no
  `.tmp-` staging folder in their own cache or the course, no half-written `.name.tmp` file, no
  file of a kernel's uid in /tmp, /var/tmp or /dev/shm, no uid lock file of a kernel's uid.
Each fault's own evidence is printed with the duration (a new worker, the kernel's restart and
retry, the fresh checks process, the new server, the resumed run), and the graded notebook of a
submission hit by a fault must not show it.

Run it alone: `pytest -m soak -s tests/pipeline/test_soak.py` (it prints its duration);
`AUTOGRADER_SOAK_SUBMISSIONS=30` for a shorter run. The batches' log files stay in the course's
`.autograder/logs`, and `logs/processes.json` in the test's folder lists every process seen.
"""
from __future__ import annotations

import contextlib
import csv
import ctypes
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
import pytest

from conftest import AUTOGRADER, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.soak]

SUBMISSIONS = int(os.environ.get("AUTOGRADER_SOAK_SUBMISSIONS", "200"))
SEED = int(os.environ.get("AUTOGRADER_SOAK_SEED", "12"))
WORKERS = 2
DEADLINE = 3 * 3600  # seconds for the whole soak, restarts included

W1 = "c1w1-housing-prices"
QUIZZES = ("c1w1-quiz", "c1w2-quiz", "c1w3-quiz", "c1w4-quiz")
SHARE = {"c1w1-quiz": 0.35, "c1w2-quiz": 0.2, "c1w3-quiz": 0.15, "c1w4-quiz": 0.15, W1: 0.10}
QUIZ_SHEETS = 4  # distinct answer sheets per quiz
# Housing notebooks: which graded cells are solved, and the epochs of a solved training cell.
HOUSING = {
    "blank": ((), None), "data": (("create_training_data",), None), "model": (("define_and_compile_model",), None),
    "data-model": (("create_training_data", "define_and_compile_model"), None),
    "short-training": (("create_training_data", "define_and_compile_model", "train_model"), 5),
    "solved": (("create_training_data", "define_and_compile_model", "train_model"), 500),
}
HOUSING_SHARE = {"blank": 1, "data": 2, "model": 2, "data-model": 3, "short-training": 3, "solved": 1}

# Per 200 submissions; at least one of each however few there are.
FAULTS = {"worker": 3, "kernel": 4, "checks": 3, "server": 2, "writer-int": 2, "writer-kill": 2}
UNEXPECTED_DEATH = "The Python kernel died"
VERIFICATION_FAILED = "verification process failed"
KERNEL_UIDS = range(200_000, 300_000)
PR_SET_CHILD_SUBREAPER = 36


# ---- the course -------------------------------------------------------------------------------

@dataclass
class Variant:
    id: str
    assignment: str
    notebook: nbformat.NotebookNode
    points: dict[str, float]  # test cell -> points it must get


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _starter(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)


def quiz_variant(quiz: str, number: int, rng: random.Random) -> Variant:
    """Answer sheet `number` (0: every answer right): per question the key, the key written
    another way, a wrong answer or none."""
    import importlib

    questions = importlib.import_module("autograder.checks.hidden." + quiz.replace("-", "_")).QUESTIONS
    notebook = _starter(quiz)
    cells = {_grade_id(cell): cell for cell in notebook.cells}
    points = {}
    for question in questions.values():
        how = "key" if number == 0 else rng.choices(["key", "other-form", "wrong", "none"], [5, 2, 3, 1])[0]
        choice = hasattr(question, "options")
        if how == "key":
            value = question.key
        elif how == "other-form":
            value = f" {question.key.lower()}) " if choice else f" {float(question.key):g} "
        elif how == "wrong":
            value = next(letter for letter in question.options if letter != question.key) if choice else \
                float(question.key) + 7
        if how != "none":  # "none": the starter's `None` and NotImplementedError stay
            cell = cells[question.name]
            cell.source, replaced = re.subn(
                rf"{question.name} = None\n# YOUR CODE HERE\nraise NotImplementedError\(\)",
                f"{question.name} = {value!r}", cell.source)
            assert replaced == 1, cell.source
        points[f"test_{question.name}"] = 1.0 if how in ("key", "other-form") else 0.0
    return Variant(f"{quiz}-{number}", quiz, notebook, points)


def housing_variant(name: str) -> Variant:
    solved, epochs = HOUSING[name]
    master = nbformat.read(ROOT / "solutions" / W1 / f"{W1}.ipynb", as_version=4)
    solutions = {_grade_id(c): c.source for c in master.cells if c.metadata.get("nbgrader", {}).get("solution")}
    notebook = _starter(W1)
    for cell in notebook.cells:
        if _grade_id(cell) in solved:
            source = re.sub(r"(?m)^\s*### (BEGIN|END) SOLUTION\n", "", solutions[_grade_id(cell)])
            if epochs is not None:
                source = source.replace("epochs=500", f"epochs={epochs}")
            cell.source = source
    data, model = "create_training_data" in solved, "define_and_compile_model" in solved
    points = {"test_create_training_data": float(data), "test_define_and_compile_model_architecture": float(model),
              "test_define_and_compile_model_compile": float(model),
              "test_train_model_prediction": 2.0 * (len(solved) == 3 and epochs == 500)}  # worth 2
    return Variant(f"{W1}-{name}", W1, notebook, points)


def plan_course(count: int, seed: int) -> tuple[dict[str, Variant], list[tuple[str, str]]]:
    """(variants by id, [(learner, variant id)]): `count` submissions, each learner handing in
    one to three different assignments."""
    rng = random.Random(seed)
    variants = {}
    for quiz in QUIZZES:
        for number in range(QUIZ_SHEETS):
            variant = quiz_variant(quiz, number, rng)
            variants[variant.id] = variant
    for name in HOUSING:
        variants[f"{W1}-{name}"] = housing_variant(name)
    unused = {assignment: [v.id for v in variants.values() if v.assignment == assignment] for assignment in SHARE}
    for ids in unused.values():
        rng.shuffle(ids)
    submissions, held, room, learner = [], set(), 0, 0
    for assignment in rng.choices(list(SHARE), list(SHARE.values()), k=count):
        if assignment in held or not room:  # the next learner, who hands in one to three
            learner, held, room = learner + 1, set(), rng.choice([1, 1, 2, 2, 3])
        held.add(assignment)
        room -= 1
        if unused[assignment]:  # each variant once first, in random order
            variant = unused[assignment].pop()
        elif assignment == W1:
            variant = f"{W1}-{rng.choices(list(HOUSING_SHARE), list(HOUSING_SHARE.values()))[0]}"
        else:
            variant = f"{assignment}-{rng.randrange(QUIZ_SHEETS)}"
        submissions.append((f"learner{learner:03d}", variant))
    return variants, submissions


def make_course(folder: Path, variants: dict[str, Variant], submissions: list[tuple[str, str]]) -> Path:
    for assignment in sorted({variants[v].assignment for _, v in submissions}):
        (folder / "solutions" / assignment).mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / assignment / f"{assignment}.ipynb", folder / "solutions" / assignment)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    for learner, variant_id in submissions:
        variant = variants[variant_id]
        target = folder / "submitted" / learner / variant.assignment
        target.mkdir(parents=True)
        nbformat.write(variant.notebook, target / f"{variant.assignment}.ipynb")
    return folder


def gradebook(folder: Path) -> dict[tuple[str, str], list[tuple]]:
    """(learner, assignment) -> every grade and comment nbgrader recorded for it (learner id left out)."""
    from nbgrader.api import Gradebook

    found: dict[tuple[str, str], list[tuple]] = {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as book:
        for student in book.students:
            for submission in student.submissions:
                rows = found.setdefault((student.id, submission.name), [])
                for notebook in submission.notebooks:
                    rows += [(notebook.name, "grade", g.name, g.auto_score, g.manual_score, g.needs_manual_grade)
                             for g in notebook.grades]
                    rows += [(notebook.name, "comment", c.name, c.auto_comment, c.manual_comment, None)
                             for c in notebook.comments]
    return {key: sorted(rows, key=repr) for key, rows in found.items()}


def test_points(rows: list[tuple]) -> dict[str, float]:
    return {name: score for _, kind, name, score, *_ in rows if kind == "grade" and name.startswith("test_")}


test_points.__test__ = False  # a helper, not a test


# ---- processes --------------------------------------------------------------------------------

@contextlib.contextmanager
def child_subreaper():
    """While the batches run, orphans of their processes become this process's children rather
    than init's: everything they started stays findable, and what is left is ours to end."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        pytest.skip(f"cannot become a child subreaper: {os.strerror(ctypes.get_errno())}")
    try:
        yield
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def cmdline(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def role(process: psutil.Process, parent_line: str) -> str | None:
    line = cmdline(process)
    if "ipykernel_launcher" in line:  # from its start: unshare and setpriv exec it in the same process
        return "kernel"
    if "autograder.checking.server" in line:  # the server forks one child per notebook
        return "checks" if "autograder.checking.server" in parent_line else "server"
    if "autograder.checking.verify" in line:
        return "verify"
    if "spawn_main" in line:
        return "worker"
    if "autograder.cli" in line and " batch" in line:
        return "batch"
    return None


def submission_of(process: psutil.Process) -> tuple[str, str] | None:
    """(learner, assignment) a kernel or checks process works on, from its folder
    (<scratch course>/autograded/<learner>/<assignment>)."""
    try:
        parts = Path(process.cwd()).parts
    except psutil.Error:
        return None
    for index, part in enumerate(parts[:-2]):
        if part in ("autograded", "submitted") and parts[index + 1].startswith("learner"):
            return parts[index + 1], parts[index + 2]
    return None


def process_clock() -> float:
    """Now, on the clock of psutil's create_time() (boot time, whole seconds, plus uptime), which
    may be a second off time.time()."""
    return psutil.boot_time() + float(Path("/proc/uptime").read_text().split()[0])


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@dataclass
class Seen:
    """A process below this one, as first seen."""

    process: psutil.Process
    role: str | None
    line: str
    run: int  # which start of `autograder batch` it belongs to
    created: float  # epoch seconds
    submission: tuple[str, str] | None = None  # kernels, checks and verification processes
    recorded: bool = False  # a kernel started when its submission was in the ledger already


# ---- the soak ---------------------------------------------------------------------------------

@dataclass
class Fault:
    kind: str
    progress: int  # due once the ledger holds this many submissions ...
    delay: float  # ... and this many seconds more
    due: float | None = None
    at: float = 0.0  # seconds into the soak when injected
    clock: float = 0.0  # process_clock() when injected
    run: int = -1
    pid: int | None = None
    submission: tuple[str, str] | None = None
    detail: str = ""
    verified: str = ""


def fault_plan(rng: random.Random, count: int) -> list[Fault]:
    """FAULTS, at random points of the run: after a random share (up to 85 %) of the submissions
    is recorded, plus up to 8 s (the run's speed varies too much on a shared machine for clock
    times drawn in advance to land where there is something to hit)."""
    kinds = [kind for kind, per200 in FAULTS.items() for _ in range(max(1, round(per200 * count / 200)))]
    rng.shuffle(kinds)
    return sorted((Fault(kind, rng.randrange(0, max(1, int(0.85 * count))), rng.uniform(0, 8)) for kind in kinds),
                  key=lambda fault: (fault.progress, fault.delay))


@dataclass
class Soak:
    course: Path
    logs: Path
    env: dict[str, str]
    rng: random.Random
    count: int
    plan: list[Fault]
    started: float = field(default_factory=time.monotonic)
    runs: list[subprocess.Popen] = field(default_factory=list)
    ended: list[float] = field(default_factory=list)  # when each run ended, seconds into the soak
    interrupted: set[int] = field(default_factory=set)  # runs we interrupted
    seen: dict[tuple[int, float], Seen] = field(default_factory=dict)
    kernel_uids: set[int] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    missed: list[Fault] = field(default_factory=list)
    killed_kernels: set[tuple[str, str]] = field(default_factory=set)
    killed_workers: set[tuple[str, str]] = field(default_factory=set)
    ledger_at_start: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.started

    @property
    def batch(self) -> subprocess.Popen:
        return self.runs[-1]

    def ledger(self) -> dict:
        try:
            return json.loads((self.course / ".autograder" / "graded.json").read_text())
        except (OSError, ValueError):
            return {}

    def start(self) -> None:
        self.ledger_at_start.append(len(self.ledger()))
        number = len(self.runs)
        with open(self.logs / f"run-{number}.out", "w") as out, open(self.logs / f"run-{number}.err", "w") as err:
            self.runs.append(subprocess.Popen(
                [*AUTOGRADER, "batch", "--course", str(self.course), "--workers", str(WORKERS)],
                cwd=ROOT, stdout=out, stderr=err, env=self.env, preexec_fn=default_sigint))

    def watch(self) -> list[Seen]:
        """Every process below this one, as it is now (a fork's command line is its parent's until
        it execs, so roles are looked at again until it has one); orphans that ended are reaped."""
        me = psutil.Process()
        running = {run.pid for run in self.runs if run.returncode is None}
        try:
            children = me.children(recursive=True)
        except psutil.Error:
            return []
        found = []
        for process in children:
            try:
                key = (process.pid, process.create_time())
            except psutil.Error:
                continue
            entry = self.seen.get(key)
            if entry is None:
                entry = self.seen[key] = Seen(process, None, "", len(self.runs) - 1, key[1])
            line = cmdline(process)
            if line and line != entry.line:
                entry.line = line
                with contextlib.suppress(psutil.Error):
                    parent = process.parent()
                    entry.role = role(process, cmdline(parent) if parent else "")
            if entry.role in ("kernel", "checks", "verify") and entry.submission is None:
                entry.submission = submission_of(process)
                if entry.role == "kernel" and entry.submission:
                    entry.recorded = "/".join(entry.submission) in self.ledger()
            if entry.role == "kernel":  # its uid is set after it started (setpriv)
                with contextlib.suppress(psutil.Error):
                    if process.uids().real in KERNEL_UIDS:
                        self.kernel_uids.add(process.uids().real)
            found.append(entry)
            with contextlib.suppress(psutil.Error, ChildProcessError):  # orphans are ours now: reap them
                if process.ppid() == me.pid and process.pid not in running and \
                        process.status() == psutil.STATUS_ZOMBIE:
                    os.waitpid(process.pid, os.WNOHANG)
        return found

    def live(self, kind: str) -> list[Seen]:
        return [entry for entry in self.watch()
                if entry.role == kind and entry.run == len(self.runs) - 1 and alive(entry.process)]

    # -- faults
    def inject(self, fault: Fault) -> bool:
        """Try the fault once: True when it was injected."""
        fault.clock = process_clock()
        if fault.kind.startswith("writer"):
            self.interrupted.add(len(self.runs) - 1)
            self.batch.send_signal(signal.SIGINT if fault.kind == "writer-int" else signal.SIGKILL)
            fault.pid = self.batch.pid
            return True
        candidates = []
        if fault.kind == "worker":  # one that is grading: its kernel is its child
            for entry in self.live("worker"):
                with contextlib.suppress(psutil.Error):
                    kernels = [c for c in entry.process.children() if "ipykernel_launcher" in cmdline(c)]
                    submission = submission_of(kernels[0]) if kernels else None
                    if submission and submission not in self.killed_workers:
                        candidates.append((entry, submission))
        elif fault.kind == "kernel":
            candidates = [(e, e.submission) for e in self.live("kernel")
                          if e.submission and e.submission not in self.killed_kernels]
        else:  # checks, server
            candidates = [(e, e.submission) for e in self.live(fault.kind)]
        if not candidates:
            return False
        entry, fault.submission = self.rng.choice(candidates)
        try:
            entry.process.send_signal(signal.SIGKILL)  # psutil makes sure the pid still names that process
        except psutil.NoSuchProcess:
            return False
        {"worker": self.killed_workers, "kernel": self.killed_kernels}.get(fault.kind, set()).add(fault.submission)
        fault.pid = entry.process.pid
        return True

    def injected(self, fault: Fault) -> None:
        fault.at, fault.run = self.now(), len(self.runs) - 1
        self.faults.append(fault)
        print(f"[soak {fault.at:6.1f} s, {len(self.ledger()):3d} recorded] {fault.kind} {fault.pid} "
              f"{fault.submission or ''}", flush=True)
        if fault.kind.startswith("writer"):
            self.wait_for_writer(fault)

    def wait_for_writer(self, fault: Fault) -> None:
        deadline = time.monotonic() + 120
        while self.batch.poll() is None and time.monotonic() < deadline:
            self.watch()
            time.sleep(0.1)
        if self.batch.poll() is None:
            self.problems.append(f"the batch (pid {self.batch.pid}) was still running 120 s after {fault.kind}")
            self.batch.kill()
            self.batch.wait()
        fault.detail = f"exit {self.batch.returncode} after {self.now() - fault.at:.1f} s"

    # -- the run
    def run(self) -> None:
        pending = list(self.plan)
        finished_once = False  # the writer-done fault
        self.start()
        while True:
            if self.now() > DEADLINE:
                self.problems.append(f"the soak did not finish in {DEADLINE} s")
                self.batch.kill()
                self.batch.wait()
                return
            self.watch()
            code = self.batch.poll()
            if code is not None:
                self.ended.append(self.now())
                if len(self.runs) - 1 in self.interrupted and code != 0:
                    self.start()  # the writer was interrupted: start the batch again, it resumes
                    continue
                self.missed += pending  # the batch finished before they were due
                return
            recorded = len(self.ledger())
            if not finished_once and recorded >= self.count:
                finished_once = True
                fault = Fault("writer-done", recorded, 0.0)
                kill = Fault("writer-kill", 0, 0.0)  # the same signal, just after the last record
                self.inject(kill)
                fault.pid, fault.clock = kill.pid, kill.clock
                self.injected(fault)
                continue
            if pending:
                fault = pending[0]
                if fault.due is None and recorded >= fault.progress:
                    fault.due = self.now() + fault.delay
                if fault.due is not None and self.now() >= fault.due:
                    if self.inject(fault):
                        self.injected(pending.pop(0))
                    elif self.now() > fault.due + 120:  # nothing to hit for two minutes
                        self.missed.append(pending.pop(0))
                    time.sleep(0.02 if fault.kind == "checks" else 0.1)  # a checks fork lives a second or less
                    continue
            time.sleep(0.1)

    def leftovers(self, grace: float = 30.0) -> list[psutil.Process]:
        """Processes that descend from the batches, or run as their kernels' uids, `grace` s on."""
        deadline = time.monotonic() + grace
        while True:
            left = [entry.process for entry in self.watch() if alive(entry.process)]
            left += [p for p in psutil.process_iter(["uids"]) if p.info["uids"]
                     and p.info["uids"].real in self.kernel_uids and alive(p) and p not in left]
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.5)

    # -- what each fault left as evidence
    def evidence(self, fault: Fault) -> str:
        after = [e for e in self.seen.values() if e.created >= fault.clock - 0.02]  # create_time: 10 ms ticks
        same_run = [e for e in after if e.run == fault.run]
        ran_on = (self.ended[fault.run] if fault.run < len(self.ended) else self.now()) - fault.at
        if fault.kind == "worker":
            new = [e.process.pid for e in same_run if e.role == "worker"]
            if not new and ran_on > 60:
                self.problems.append(f"no worker replaced the one killed at {fault.at:.0f} s")
            return f"new worker {new[:2]}" if new else f"no new worker (the run ended {ran_on:.0f} s later)"
        if fault.kind == "kernel":
            again = [e for e in after if e.role == "kernel" and e.submission == fault.submission]
            return f"{len(again)} kernel(s) for it afterwards (restart, retry)"
        if fault.kind == "checks":
            fresh = [e for e in after if e.role == "verify" and e.submission == fault.submission]
            return f"{len(fresh)} fresh checks process(es) for it afterwards"
        if fault.kind == "server":
            servers = [e for e in same_run if e.role == "server"]
            fresh = [e for e in same_run if e.role == "verify"]
            return f"{len(servers)} new server(s), {len(fresh)} fresh checks process(es) afterwards"
        if fault.run + 1 < len(self.ledger_at_start):
            return f"{fault.detail}; started again, resumed with {self.ledger_at_start[fault.run + 1]} recorded"
        return f"{fault.detail}; it had finished"


def default_sigint() -> None:
    """A command started in the background by a shell inherits SIGINT ignored; an instructor's
    Ctrl-C is not: the batch gets an instructor's terminal's behaviour."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def batch_env(tmp: Path, cache: Path) -> dict[str, str]:
    """The batches' own temporary folder and cache: what they leave there is theirs."""
    return {**os.environ, "TMPDIR": str(tmp), "AUTOGRADER_CACHE_DIR": str(cache)}


def summary_counts(text: str) -> tuple[int, int, int] | None:
    found = re.search(r"graded (\d+), unchanged (\d+), failed (\d+)", text)
    return tuple(int(n) for n in found.groups()) if found else None


def stray_files(tmp: Path, cache: Path, course: Path, uids: set[int]) -> list[str]:
    """Scratch courses, kernel folders, staging folders and half-written files left behind."""
    strays = [str(path) for path in tmp.iterdir() if path.name != "dask-scratch-space"]
    strays += [str(path) for path in cache.glob("courses/.tmp-*")]
    strays += [str(path) for path in course.rglob(".tmp-*")]
    strays += [str(path) for path in course.rglob(".*.tmp")]  # write_atomically's temporary files
    for shared in ("/tmp", "/var/tmp", "/dev/shm"):  # what a kernel's uid left where everyone may write
        with contextlib.suppress(OSError):
            for entry in os.scandir(shared):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_uid in uids:
                        strays.append(entry.path)
    locks = Path("/run/autograder-kernel-uids")  # autograder.sandbox.accounts: one lock file per uid in use
    strays += [str(locks / str(uid)) for uid in sorted(uids) if (locks / str(uid)).exists()]
    return strays


@pytest.fixture
def soak_folders(tmp_path):
    """tmp_path, and the batches' temporary folder: outside pytest's 0700 folder, which a
    kernel's uid could not pass through."""
    tmp = Path(tempfile.mkdtemp(prefix="soak-tmp-", dir="/tmp"))
    os.chmod(tmp, 0o755)
    yield tmp_path, tmp
    shutil.rmtree(tmp, ignore_errors=True)


def test_batch_survives_random_faults_and_ends_as_a_clean_run(soak_folders):
    tmp_path, tmp = soak_folders
    began = time.monotonic()
    rng = random.Random(SEED)
    variants, submissions = plan_course(SUBMISSIONS, SEED)
    used = sorted({v for _, v in submissions})
    cache = tmp_path / "cache"
    problems: list[str] = []

    # The clean run: every variant used, once, without faults.
    reference = make_course(tmp_path / "reference", variants, [(f"ref{i:03d}", v) for i, v in enumerate(used)])
    clean = subprocess.run([*AUTOGRADER, "batch", "--course", str(reference), "--workers", str(WORKERS)],
                           cwd=ROOT, capture_output=True, text=True, env=batch_env(tmp, tmp_path / "clean-cache"),
                           timeout=DEADLINE)
    clean_seconds = time.monotonic() - began
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert summary_counts(clean.stdout) == (len(used), 0, 0), clean.stdout
    clean_rows = {used[int(learner[3:])]: rows for (learner, _), rows in gradebook(reference).items()}
    assert set(clean_rows) == set(used)
    for variant_id, rows in clean_rows.items():  # the clean run scores every variant as it was built
        assert test_points(rows) == variants[variant_id].points, variant_id
    problems += [f"left by the clean run: {path}" for path in stray_files(tmp, tmp_path / "clean-cache", reference, set())]

    # The soak.
    course = make_course(tmp_path / "course", variants, submissions)
    logs = tmp_path / "logs"
    logs.mkdir()
    # A cache of its own: the released-course templates are built during the soak, faults and all.
    soak = Soak(course, logs, batch_env(tmp, cache), rng, len(submissions), fault_plan(rng, len(submissions)))
    with child_subreaper():
        try:
            soak.run()
        finally:
            left = soak.leftovers()
            for process in left:  # below our batches, or of our kernels' uids: ours to end, by pid
                with contextlib.suppress(psutil.Error):
                    process.kill()
            soak.watch()
    soak_seconds = soak.now()
    (logs / "processes.json").write_text(json.dumps(
        [{"pid": e.process.pid, "run": e.run, "created": e.created, "role": e.role, "submission": e.submission,
          "recorded": e.recorded, "line": e.line[:300]} for e in soak.seen.values()], indent=1))
    problems += soak.problems
    problems += [f"still running after the last batch: {p.pid} {cmdline(p)[:200]}" for p in left]

    # The last run: it completed, and graded exactly what the ledger did not hold yet.
    last = len(soak.runs) - 1
    out, err = (logs / f"run-{last}.out").read_text(), (logs / f"run-{last}.err").read_text()
    if soak.runs[-1].returncode != 0:
        problems.append(f"the last batch exited {soak.runs[-1].returncode}:\n{out[-3000:]}\n{err[-3000:]}")
    counts = summary_counts(out)
    if counts is None or counts[2] != 0 or counts[0] + counts[1] != len(submissions):
        problems.append(f"the last batch's summary does not account for {len(submissions)} submissions: {counts}")
    elif counts[1] != soak.ledger_at_start[-1]:
        problems.append(f"the last batch found {counts[1]} unchanged, the ledger held {soak.ledger_at_start[-1]}")

    # Every submission recorded once, with the clean run's grades.
    expected = {(learner, variants[v].assignment): v for learner, v in submissions}
    got = gradebook(course)
    if set(got) != set(expected):
        problems.append(f"gradebook submissions: missing {sorted(set(expected) - set(got))[:10]}, "
                        f"unexpected {sorted(set(got) - set(expected))[:10]}")
    differ = [key for key, variant in expected.items() if key in got and got[key] != clean_rows[variant]]
    problems += [f"{key} ({expected[key]}) is not graded as in the clean run: {test_points(got[key])} != "
                 f"{test_points(clean_rows[expected[key]])}" for key in differ[:20]]
    ledger = soak.ledger()
    if sorted(ledger) != sorted(f"{learner}/{assignment}" for learner, assignment in expected):
        problems.append(f"the ledger lists {len(ledger)} submissions, not the {len(expected)} handed in")
    regraded = sorted({e.submission for e in soak.seen.values() if e.recorded})
    if regraded:
        problems.append(f"{len(regraded)} submission(s) graded again after they were recorded, e.g. {regraded[:5]}")

    # grades.csv, feedback pages and reports, for every submission.
    scores = {key: sum(test_points(rows).values()) for key, rows in got.items()}
    try:
        with open(course / "grades.csv", newline="") as handle:
            table = list(csv.DictReader(handle))
        learners, assignments = {key[0] for key in expected}, {key[1] for key in expected}
        if len(table) != len(learners) * len(assignments):  # nbgrader: every learner x every assignment
            problems.append(f"grades.csv has {len(table)} rows, not {len(learners)} x {len(assignments)}")
        in_csv = {(row["student_id"], row["assignment"]): float(row["raw_score"]) for row in table}
        wrong = [(key, in_csv.get(key), scores.get(key)) for key in expected if in_csv.get(key) != scores.get(key)]
        if wrong:
            problems.append(f"grades.csv disagrees with the gradebook on {len(wrong)} submissions, e.g. {wrong[:5]}")
    except FileNotFoundError:
        problems.append("no grades.csv")
    missing = [path.relative_to(course) for learner, assignment in expected
               for path in (course / "feedback" / learner / assignment / f"{assignment}.html",
                            course / "reports" / learner / f"{assignment}.html") if not path.is_file()]
    if missing:
        problems.append(f"{len(missing)} feedback pages or reports missing, e.g. {[str(p) for p in missing[:6]]}")

    # Each fault: its submission graded as in the clean run, and what it left as evidence.
    for fault in soak.faults:
        fault.verified = soak.evidence(fault)
        if fault.submission and fault.kind in ("worker", "kernel", "checks"):
            learner, assignment = fault.submission
            notebook = course / "autograded" / learner / assignment / f"{assignment}.ipynb"
            text = notebook.read_text() if notebook.is_file() else ""
            if UNEXPECTED_DEATH in text or VERIFICATION_FAILED in text:
                problems.append(f"the {fault.kind} fault shows in {fault.submission}'s graded notebook")
            same = fault.submission in got and fault.submission not in differ
            fault.verified += "; graded as in the clean run" if same else "; NOT graded as in the clean run"
    problems += [f"no {kind} fault could be injected" for kind in [*FAULTS, "writer-done"]
                 if kind not in {fault.kind for fault in soak.faults}]

    strays = stray_files(tmp, cache, course, soak.kernel_uids)
    if strays:
        problems.append(f"{len(strays)} stray files or folders: {strays[:12]}")

    took = time.monotonic() - began
    print(f"\nsoak: {len(submissions)} submissions ({len(used)} distinct notebooks), seed {SEED}, {WORKERS} workers")
    print(f"soak: clean run of the {len(used)} notebooks {clean_seconds:.0f} s; the soak {soak_seconds:.0f} s in "
          f"{len(soak.runs)} runs of the batch; the whole test {took:.0f} s")
    for fault in soak.faults:
        print(f"soak: {fault.at:6.1f} s  {fault.kind:<11} pid {fault.pid}  {fault.submission or ''}  {fault.verified}")
    for fault in soak.missed:
        print(f"soak: missed {fault.kind} (due after {fault.progress} recorded: nothing to hit)")
    print(f"soak: {len(soak.seen)} processes seen, {len(soak.kernel_uids)} kernel uids")
    assert not problems, "\n".join(problems)
