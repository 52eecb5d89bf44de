"""The grading kernel as its own unprivileged user (autograder.sandbox).

Tiny notebooks run through GuardedExecute (and two through run_job) as the grader runs them:
the kernel gets a fresh uid per job without capabilities, cannot lift the covers off hidden
files, has no network, and leaves nothing behind: no process (detached daemons included), no
link or FIFO in its folder, nothing of its own in /tmp. No TensorFlow here: fast.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from traitlets.config import Config

from autograder.course import CHECKS_DIR
from autograder.sandbox.accounts import KERNEL_UIDS
from autograder.sandbox.execute import GuardedExecute
from autograder.sandbox.kernel import KERNEL_TASKS
from autograder.sandbox.namespaces import kernel_isolation
from autograder.sandbox.policy import hidden_paths
from autograder.sandbox.processes import uid_processes

ROOT = Path(__file__).resolve().parents[2]


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "only a grader running as root can give the kernel its own user"
    if not kernel_isolation():
        return "this system has no mount namespace (unshare --net --mount) or no setpriv"
    return None


pytestmark = [pytest.mark.slow,  # starts grading kernels
              pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")]

SECRET = "TOP-SECRET-ANSWER-KEY"
REPORT = "REPORT "  # a cell prints REPORT {json}; the test reads it back


@pytest.fixture
def folder():
    """A notebook folder as nbgrader gives one: root's, in a place every user may pass through."""
    path = tempfile.mkdtemp(prefix="sandbox-test-")
    os.chmod(path, 0o755)
    yield Path(path)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def secret():
    """A folder and a file anyone could read, were they not hidden from the kernel."""
    path = Path(tempfile.mkdtemp(prefix="sandbox-secret-"))
    path.chmod(0o755)
    (path / "key.txt").write_text(SECRET)
    (path / "key.txt").chmod(0o644)
    loose = path.parent / f"{path.name}.txt"
    loose.write_text(SECRET)
    loose.chmod(0o644)
    yield path, loose
    shutil.rmtree(path, ignore_errors=True)
    loose.unlink(missing_ok=True)


def run(folder: Path, *sources: str, **traits):
    """Execute the cells in `folder` through GuardedExecute; the notebook as executed."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    config = Config()
    for name, value in {"cell_timeout": 60, "notebook_timeout": 120, **traits}.items():
        setattr(config.GuardedExecute, name, value)
    executed, _ = GuardedExecute(config=config).preprocess(notebook, {"metadata": {"path": str(folder)}})
    return executed


def reports(notebook) -> list[dict]:
    return [json.loads(line[len(REPORT):]) for cell in notebook.cells for output in cell.get("outputs", [])
            for line in output.get("text", "").splitlines() if line.startswith(REPORT)]


def errors(notebook) -> list[tuple[str, str]]:
    return [(output.ename, output.evalue) for cell in notebook.cells for output in cell.get("outputs", [])
            if output.output_type == "error"]


WHO = """
import json, os
status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\\t" in line)
with open(f"made-by-{os.getuid()}.txt", "w") as handle:
    handle.write("written by the kernel")
os.makedirs(f"data/sub-{os.getuid()}")
with open(f"data/sub-{os.getuid()}/also.txt", "w") as handle:
    handle.write("and here")
print("REPORT", json.dumps({"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
    "cap_eff": status["CapEff"].strip(), "cap_bnd": status["CapBnd"].strip(),
    "no_new_privs": status["NoNewPrivs"].strip(), "data": open("data/given.txt").read(),
    "home": os.environ["HOME"], "home_writable": os.access(os.environ["HOME"], os.W_OK),
    "nproc": [line.split()[2] for line in open("/proc/self/limits") if line.startswith("Max processes")][0]}))
"""


def test_each_job_runs_as_a_fresh_unprivileged_user(folder):
    (folder / "data").mkdir()
    (folder / "data" / "given.txt").write_text("shipped with the assignment")
    os.chown(folder / "data", 4321, 4321)  # e.g. an instructor's: given back afterwards
    first = reports(run(folder, WHO))
    second = reports(run(folder, WHO))
    assert first and second, "the kernel's report is missing"
    for report in (first[0], second[0]):
        assert report["uid"] != 0 and report["uid"] in KERNEL_UIDS and report["gid"] == report["uid"]
        assert report["groups"] in ([], [report["uid"]])
        assert int(report["cap_eff"], 16) == 0 and int(report["cap_bnd"], 16) == 0
        assert report["no_new_privs"] == "1"
        assert report["data"] == "shipped with the assignment"
        assert report["home_writable"]
        assert shutil.which("prlimit") is None or report["nproc"] == str(KERNEL_TASKS)
    assert first[0]["uid"] != second[0]["uid"], "two jobs must not share a uid"
    # What the kernel wrote is there, and root's now; the files it was given were never its own.
    for report in (first[0], second[0]):
        assert (folder / f"made-by-{report['uid']}.txt").read_text() == "written by the kernel"
    for path in (folder, *folder.rglob("*")):
        info = path.lstat()
        assert info.st_uid == (4321 if path == folder / "data" else 0) and not info.st_mode & 0o022, path
    assert not uid_processes(first[0]["uid"]) and not uid_processes(second[0]["uid"])


def test_hidden_files_stay_hidden(folder, secret):
    hidden_folder, hidden_file = secret
    check_module = str(CHECKS_DIR / "c1w4_quiz.py")  # the quiz answer keys
    assert str(CHECKS_DIR) in hidden_paths()
    probe = f"""
import os, subprocess, json
tries = {{}}
def attempt(name, path):
    try:
        with open(path) as handle:
            tries[name] = handle.read()
    except OSError as error:
        tries[name] = type(error).__name__
for target in ({str(hidden_folder)!r}, {str(hidden_file)!r}):
    tries["umount " + target] = subprocess.run(["umount", "-l", target], capture_output=True, text=True).returncode
attempt("folder", {str(hidden_folder / "key.txt")!r})
attempt("file", {str(hidden_file)!r})
attempt("via init", "/proc/1/root" + {str(hidden_folder / "key.txt")!r})
attempt("via grader", "/proc/{os.getpid()}/root" + {str(hidden_folder / "key.txt")!r})
attempt("via grader cwd", "/proc/{os.getpid()}/cwd/../../.." + {str(hidden_file)!r})
attempt("check module", {check_module!r})
# Root in a user namespace of its own: the covers were made by the real root, so they are locked.
tries["userns"] = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
    "umount -l {hidden_folder}; umount -l {hidden_file}; cat {hidden_folder / 'key.txt'} {hidden_file}"],
    capture_output=True, text=True).stdout
print("REPORT", json.dumps(tries))
"""
    executed = run(folder, probe, hidden_paths=[str(hidden_folder), str(hidden_file)])
    tries = reports(executed)
    assert tries, errors(executed)
    tries = tries[0]
    assert SECRET not in json.dumps(tries), tries
    assert all(code != 0 for name, code in tries.items() if name.startswith("umount")), tries
    assert tries["folder"] in ("FileNotFoundError", "PermissionError"), tries
    assert tries["file"] == "", tries  # /dev/null over it
    assert tries["check module"] in ("FileNotFoundError", "PermissionError"), tries  # its folder is covered
    for name in ("via init", "via grader", "via grader cwd"):
        assert tries[name] in ("FileNotFoundError", "PermissionError"), tries


def test_no_process_outlives_the_notebook(folder):
    """A double-forked, session-leading daemon ignoring SIGTERM, and a plain child: both gone."""
    start = """
import os, signal, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        with open("daemon.pid", "w") as handle:
            handle.write(str(os.getpid()))
        time.sleep(600)
    os._exit(0)
os.wait()
import subprocess
child = subprocess.Popen(["sleep", "600"], start_new_session=True)
for _ in range(100):
    if os.path.exists("daemon.pid"):
        break
    time.sleep(0.05)
print("REPORT", json.dumps({"daemon": int(open("daemon.pid").read()), "child": child.pid, "uid": os.getuid()}))
""".replace("json.dumps", "__import__('json').dumps")
    executed = run(folder, start)
    report = reports(executed)
    assert report, errors(executed)
    report = report[0]
    for pid in (report["daemon"], report["child"]):
        if psutil.pid_exists(pid):
            process = psutil.Process(pid)
            assert process.uids().real != report["uid"] or process.status() == psutil.STATUS_ZOMBIE, \
                f"process {pid} outlived its notebook"
    assert not uid_processes(report["uid"])


def test_what_the_kernel_planted_is_gone(folder):
    (folder / "data").mkdir()
    plant = f"""
import os, json, tempfile
os.symlink("/etc/passwd", "notebook.ipynb")
os.symlink("/etc", "data/escape")
os.mkfifo("blocking.ipynb")
with open("setuid-me", "w") as handle:
    handle.write("#!/bin/sh\\n")
os.chmod("setuid-me", 0o6777)
os.chmod(".", 0o777)
os.makedirs("deep/er", exist_ok=True)
os.symlink("/root", "deep/er/link")
left = [tempfile.mkdtemp(dir="/tmp"), tempfile.mkstemp(dir="/var/tmp")[1], tempfile.mkstemp(dir="/dev/shm")[1]]
print("REPORT", json.dumps({{"left": left, "uid": os.getuid()}}))
"""
    executed = run(folder, plant)
    report = reports(executed)
    assert report, errors(executed)
    report = report[0]
    entries = [folder, *folder.rglob("*")]
    assert not [p for p in entries if p.is_symlink()], "links the kernel planted must be gone"
    assert not [p for p in entries if stat.S_ISFIFO(p.lstat().st_mode)], "FIFOs too"
    for path in entries:
        info = path.lstat()
        assert info.st_uid == 0 and not info.st_mode & 0o6022, (path, oct(info.st_mode))
    for path in report["left"]:
        assert not os.path.lexists(path), f"{path} outlived the notebook"


def test_no_network(folder):
    probe = """
import socket, json
outcome = {}
for name, host in (("ip", ("1.1.1.1", 80)), ("name", ("example.com", 80))):
    try:
        socket.create_connection(host, timeout=3).close()
        outcome[name] = "connected"
    except OSError as error:
        outcome[name] = type(error).__name__
print("REPORT", json.dumps(outcome))
"""
    executed = run(folder, probe)
    outcome = reports(executed)
    assert outcome, errors(executed)
    assert "connected" not in outcome[0].values(), outcome


def test_limits_and_deaths_still_work(folder):
    """A cell over its time limit and a kernel that dies each cost their cell; the restarted
    kernel has the same uid, and a daemon started before the death is gone after it."""
    executed = run(
        folder,
        "import os, time, json\nwhile True:\n    pass",
        "if os.fork() == 0:\n    os.setsid()\n    time.sleep(600)\n    os._exit(0)\nprint('REPORT', json.dumps({'uid': os.getuid()}))",
        "import os\nos._exit(1)",
        "import os, json\nprint('REPORT', json.dumps({'uid': os.getuid(), 'others': [p for p in os.listdir('/proc') "
        "if p.isdigit() and int(p) != os.getpid() and open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()[0] != 'Z']}))",
        cell_timeout=3,
    )
    names = [name for name, _ in errors(executed)]
    assert "CellTimeLimit" in names and "KernelDied" in names, errors(executed)
    before, after = reports(executed)
    assert before["uid"] == after["uid"] != 0
    assert after["others"] == [], "the daemon should have died with the kernel it outlived"


def test_a_detached_process_counts_against_the_memory_cap(folder):
    executed = run(
        folder,
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        "        hog = bytearray(700 * 2**20)\n        time.sleep(600)\n    os._exit(0)\nos.wait()\ntime.sleep(30)",
        memory_gib=0.5,
    )
    assert any(name == "KernelDied" and "memory limit" in value for name, value in errors(executed)), errors(executed)


def test_a_folder_other_users_cannot_enter_means_root(folder, caplog):
    """nbgrader run directly on a course in a private folder: graded as before, with a warning."""
    private = folder / "private"
    (private / "notebook").mkdir(parents=True)
    private.chmod(0o700)
    executed = run(private / "notebook", "import os, json\nprint('REPORT', json.dumps({'uid': os.getuid()}))")
    assert reports(executed)[0]["uid"] == 0
    executed = run(folder, "import os, json\nprint('REPORT', json.dumps({'uid': os.getuid()}))", kernel_user="root")
    assert reports(executed)[0]["uid"] == 0


def test_run_job_gives_each_job_its_own_uid_and_a_private_course_folder():
    from autograder import course as course_layout
    from autograder.pipeline.jobs import GradingJob, run_job

    quiz = "c1w1-quiz"
    notebook = nbformat.read(ROOT / "solutions" / quiz / f"{quiz}.ipynb", as_version=4)
    for cell in notebook.cells:
        cell.source = re.sub(r"(?m)^\s*### (BEGIN|END) SOLUTION\n", "", cell.source)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(
        "import os, json\nscratch = os.stat('../../..')\n"
        "print('REPORT', json.dumps({'uid': os.getuid(), 'scratch_gid': scratch.st_gid, "
        "'scratch_mode': scratch.st_mode & 0o7777, 'scratch_listable': os.access('../../..', os.R_OK)}))"))
    assignment = course_layout.assignment(quiz, ROOT)
    job = GradingJob(quiz, "sandbox", assignment.master.read_text(), {f"{quiz}.ipynb": nbformat.writes(notebook).encode()},
                     assignment.datasets, (ROOT / "nbgrader_config.py").read_text())
    seen = []
    for _ in range(2):
        started = time.time()
        graded = run_job(job)
        executed = nbformat.reads(graded.notebooks[f"{quiz}.ipynb"], as_version=4)
        report = reports(executed)
        assert report, errors(executed)
        seen.append(report[0])
        assert time.time() - started < 120
        tests = [c for c in executed.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert tests and not any(o.output_type == "error" for c in tests for o in c.outputs), "the answers still pass"
    for report in seen:
        assert report["uid"] in KERNEL_UIDS
        assert report["scratch_gid"] == report["uid"] and report["scratch_mode"] == 0o710
        assert not report["scratch_listable"]
    assert seen[0]["uid"] != seen[1]["uid"]


def test_grading_one_file_in_a_course_folder_hides_the_class(monkeypatch):
    """`autograder grade` (and the hosted graders) in a course folder that holds a class: learner
    code cannot read the other learners' work or the grades there."""
    from autograder.pipeline.grade import grade_notebook

    quiz = "c1w1-quiz"
    # Each answer is planted where a class's state lies (the answer keys: q1 C, q3 A, q4 D).
    planted = {1: ("submitted/alice/c1w1-quiz/answers.txt", "C"), 3: ("grades.csv", "A"),
               4: ("similarity/c1w1-quiz/report.html", "D")}
    course = Path(tempfile.mkdtemp(prefix="sandbox-course-"))
    try:
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "solutions" / quiz, course / "solutions" / quiz, ignore=shutil.ignore_patterns("data"))
        for name, text in planted.values():
            (course / name).parent.mkdir(parents=True, exist_ok=True)
            (course / name).write_text(text)
        for path in [course, *course.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # readable by anyone, were it not hidden
        monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(course))
        notebook = nbformat.read(ROOT / "assignments" / quiz / f"{quiz}.ipynb", as_version=4)
        for cell in notebook.cells:
            number = {f"q{n}_answer": n for n in planted}.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
            if number:
                cell.source = (f"q{number}_answer = None\ntry:\n    q{number}_answer = "
                               f"open({str(course / planted[number][0])!r}).read()\nexcept OSError:\n    pass")
        submission = course / "learner.ipynb"
        nbformat.write(notebook, submission)
        passed = {test.grade_id: test.passed for test in grade_notebook(submission, quiz).tests}
        assert [n for n in planted if passed[f"test_q{n}_answer"]] == [], "the class's files were readable from the kernel"
    finally:
        shutil.rmtree(course, ignore_errors=True)
