"""Grading benchmarks: overhead, where the time goes, throughput, scheduling cost, peak memory.
Prints tables.

    python benchmarks/grading.py                 # all of them
    python benchmarks/grading.py overhead phases # some of them

Run on a quiet machine: every figure is wall time. Data comes from $AUTOGRADER_DATA_MIRROR
or the official addresses, as for the tests.
"""
from __future__ import annotations

import argparse
import heapq
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

from autograder import course as course_layout
from autograder import data
from autograder.environment import find_scripts
from autograder.pipeline.jobs import GradingJob, run_job

ROOT = course_layout.course_root()
W1 = "c1w1-housing-prices"


def table(title, header, rows):
    print(f"\n## {title}\n")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")


def job_for(assignment, notebook: Path, student="bench") -> GradingJob:
    return GradingJob(assignment.id, student, assignment.master.read_text(),
                      {assignment.notebook_name: notebook.read_bytes()}, assignment.datasets,
                      (ROOT / "nbgrader_config.py").read_text())


def plain_execution(assignment) -> float:
    """nbclient runs the master in a folder holding its data: the floor any grader pays."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in assignment.datasets:
            data.place(name, folder / "data")
        notebook = nbformat.read(assignment.master, as_version=4)
        started = time.perf_counter()
        NotebookClient(notebook, timeout=1800, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()
        return time.perf_counter() - started


def cli_seconds(*args, cwd=ROOT) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return time.perf_counter() - started


def nbgrader_autograde_seconds(assignment) -> float:
    """nbgrader's own command line on a course folder (release done beforehand, not timed)."""
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        (course / "solutions" / assignment.id).mkdir(parents=True)
        shutil.copy(assignment.master, course / "solutions" / assignment.id)
        for name in assignment.datasets:
            data.place(name, course / "solutions" / assignment.id / "data")
        subprocess.run(["nbgrader", "generate_assignment", assignment.id], cwd=course, check=True, capture_output=True)
        (course / "submitted" / "bench" / assignment.id).mkdir(parents=True)
        shutil.copy(assignment.master, course / "submitted" / "bench" / assignment.id)
        started = time.perf_counter()
        subprocess.run(["nbgrader", "autograde", assignment.id], cwd=course, check=True, capture_output=True)
        return time.perf_counter() - started


def bench_overhead(ids, repeat=3):
    """The three, taken in turn `repeat` times (so a busy spell of the machine hits each alike); medians."""
    rows = []
    for assignment_id in ids:
        assignment = course_layout.assignment(assignment_id)
        runs = [(plain_execution(assignment), cli_seconds("autograder.cli", "grade", str(assignment.master), "--json"),
                 nbgrader_autograde_seconds(assignment)) for _ in range(repeat)]
        plain, ours, theirs = (statistics.median(column) for column in zip(*runs))
        rows.append([assignment_id, f"{plain:.1f}", f"{ours:.1f}", f"{ours / plain:.2f}", f"{theirs:.1f}",
                     f"{theirs / plain:.2f}"])
    table(f"1. Overhead per assignment (reference solution, median of {repeat}; target ratio <= 1.10 for W1 and W2, "
          "<= 1.5 for a quiz)", ["assignment", "nbclient s", "autograder grade s", "ratio", "nbgrader autograde s", "ratio"],
          rows)


PHASES = ("release", "data", "kernel start", "execution", "verification", "autograde")


def bench_phases(ids):
    """One grading worker's time per phase: its first submission of an assignment (the released
    course template built, the checks' warm process started) and its next one."""
    rows = []
    for assignment_id in ids:
        assignment = course_layout.assignment(assignment_id)
        for run in ("first", "next"):
            graded = run_job(job_for(assignment, assignment.master))
            phases = graded.phases
            other = phases.get("autograde", 0) - sum(phases.get(p, 0) for p in ("kernel start", "execution", "verification"))
            rows.append([assignment_id, run, f"{graded.seconds:.1f}",
                         *(f"{phases.get(p, 0):.2f}" for p in PHASES[:-1]), f"{other:.2f}"])
    table("1b. Where a worker's time goes per submission, seconds (reference solution)",
          ["assignment", "submission", "total", *PHASES[:-1], "nbgrader's own steps"], rows)


def make_batch_course(folder: Path, count: int, assignment_id=W1) -> Path:
    assignment = course_layout.assignment(assignment_id)
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    (folder / "solutions" / assignment_id).mkdir(parents=True)
    shutil.copy(assignment.master, folder / "solutions" / assignment_id)
    for i in range(count):
        target = folder / "submitted" / f"learner{i:02d}" / assignment_id
        target.mkdir(parents=True)
        shutil.copy(assignment.master, target)
    return folder


def bench_throughput(count=8, workers=2, assignment_id=W1):
    with tempfile.TemporaryDirectory() as tmp:
        sequential = make_batch_course(Path(tmp) / "sequential", count, assignment_id)
        subprocess.run(["nbgrader", "generate_assignment", assignment_id], cwd=sequential, check=True,
                       capture_output=True)
        started = time.perf_counter()
        subprocess.run(["nbgrader", "autograde", assignment_id], cwd=sequential, check=True, capture_output=True)
        nbgrader_seconds = time.perf_counter() - started
        parallel = make_batch_course(Path(tmp) / "parallel", count, assignment_id)
        ours = cli_seconds("autograder.cli", "batch", "--course", str(parallel), "--workers", str(workers))
    table(f"2. Throughput: {count} {assignment_id} reference submissions (target speed-up >= 1.8)",
          ["grader", "wall s", "per submission s", "speed-up"],
          [["nbgrader autograde (sequential)", f"{nbgrader_seconds:.1f}", f"{nbgrader_seconds / count:.1f}", "1.00"],
           [f"autograder batch, {workers} Dask workers", f"{ours:.1f}", f"{ours / count:.1f}",
            f"{nbgrader_seconds / ours:.2f}"]])
    return nbgrader_seconds / count


def bench_scheduling(task_seconds_sample, tasks=200, workers=100, submissions=10_000):
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as client:
        client.submit(int, 0).result()
        started = time.perf_counter()
        futures = [client.submit(int, i, pure=False) for i in range(tasks)]
        client.gather(futures)
        per_task = (time.perf_counter() - started) / tasks
    # The single writer's cost per result: nbgrader's autograde replayed, and the direct path.
    quiz = course_layout.assignment("c1w1-quiz") if "c1w1-quiz" in course_layout.assignments() else course_layout.assignment(W1)
    graded = [run_job(job_for(quiz, quiz.master, f"learner{i:02d}")) for i in range(3)]
    trivial = statistics.mean(item.seconds for item in graded)
    costs = {how: record_cost(quiz, graded, RECORDS, how) for how in ("replay", "one", "session")}
    record = costs["session"]
    table("3a. Cost per task (target <= 50 ms of scheduling, <= 20 ms of recording)",
          ["what", "per task"],
          [["Dask submit + run + gather of a no-op task (2 local workers)", f"{per_task * 1000:.1f} ms"],
           [f"one worker grading a trivial notebook ({quiz.id}) end to end", f"{trivial:.2f} s"],
           ["the writer, nbgrader's autograde replayed on each result (before)", f"{costs['replay'] * 1000:.0f} ms"],
           ["the writer, direct, one result per session", f"{costs['one'] * 1000:.0f} ms"],
           [f"the writer, direct, {RECORDS} results in one session (as a batch records)", f"{record * 1000:.0f} ms"]])
    rows = []
    for kind, sample in (("training (measured)", task_seconds_sample), (f"quiz ({quiz.id})", [trivial])):
        for n_workers in (2, 10, 100):
            makespan = simulate(sample, n_workers, submissions, per_task, record)
            ideal = sum(sample) / len(sample) * submissions / n_workers
            rows.append([kind, n_workers, submissions, f"{makespan / 3600:.2f} h", f"{ideal / 3600:.2f} h",
                         f"{ideal / makespan:.0%}"])
    table(f"3b. Simulated batch (task times drawn from the measured ones; the writer takes {record * 1000:.0f} ms a result)",
          ["tasks", "workers", "submissions", "batch time", "perfect scaling", "efficiency"], rows)


RECORDS = 40  # results recorded per measurement of the writer


def record_cost(assignment, graded, count: int, how: str) -> float:
    """Seconds per result for the writer to record `count` results of `assignment` (each a new
    learner): `replay` = nbgrader's autograde with ReplayExecution, `one` = the direct path with
    a gradebook session per result, `session` = the direct path, all in one session."""
    from autograder.pipeline.course_folder import Course
    from autograder.pipeline.recorder import Recorder

    with tempfile.TemporaryDirectory() as tmp:
        folder = make_batch_course(Path(tmp) / "course", count + 1, assignment.id)
        course = Course(folder)
        course.release(assignment.id)
        items = [as_learner(graded[i % len(graded)], f"learner{i:02d}") for i in range(count + 1)]
        with Recorder(course, replay=how == "replay") as recorder:
            recorder.record(items[0])  # the first one pays for the gradebook's queries to compile
            started = time.perf_counter()
            if how == "session":
                recorder.record_many(items[1:])
            for item in items[1:] if how != "session" else ():
                recorder.record(item)
                if how == "one":
                    recorder.close()
            return (time.perf_counter() - started) / count


def as_learner(graded, student):
    from autograder.pipeline.jobs import GradedJob

    job = graded.job
    moved = GradingJob(job.assignment_id, student, job.master, job.files, job.datasets, job.config)
    return GradedJob(moved, dict(graded.notebooks), graded.seconds, graded.artifacts)


def simulate(sample, workers, submissions, schedule_cost, record_cost, seed=0):
    """Event simulation: workers pull tasks; one writer records results in completion order."""
    rng = random.Random(seed)
    free = [0.0] * workers
    heapq.heapify(free)
    finished = []
    for i in range(submissions):
        start = heapq.heappop(free) + schedule_cost
        end = start + rng.choice(sample)
        heapq.heappush(free, end)
        finished.append(end)
    writer = 0.0
    for end in sorted(finished):
        writer = max(writer, end) + record_cost
    return writer


def peak_kernel_memory(job: GradingJob) -> tuple[float, int]:
    """run_job while sampling the resident memory of every process it starts (the kernel)."""
    me = psutil.Process()
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, total)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        graded = run_job(job)
    finally:
        done.set()
        sampler.join()
    return graded.seconds, peak


def bench_memory(ids):
    rows = []
    for assignment_id in ids:
        assignment = course_layout.assignment(assignment_id)
        seconds, peak = peak_kernel_memory(job_for(assignment, assignment.master))
        rows.append([assignment_id, f"{seconds:.1f}", f"{peak / (1 << 30):.2f} GiB",
                     "yes" if peak <= 3 << 30 else "NO"])
    table("4. Peak memory of the grading kernel, reference solution (target <= 3 GiB)",
          ["assignment", "grading s", "peak RSS", "within target"], rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", nargs="*", default=["overhead", "phases", "throughput", "scheduling", "memory"])
    parser.add_argument("--assignments", nargs="*", help="for overhead and memory (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each grader per assignment in overhead (median)")
    args = parser.parse_args()
    find_scripts()  # `nbgrader`, for its own column, from this environment even when not activated
    ids = args.assignments or list(course_layout.assignments())
    print(f"# Grading benchmarks — {time.strftime('%Y-%m-%d')} — {platform.machine()}, "
          f"{os.cpu_count()} cores, {psutil.virtual_memory().total / (1 << 30):.0f} GiB, Python {platform.python_version()}")
    for name in course_layout.assignments().values():
        for dataset in name.datasets:
            data.fetch(dataset)
    if "overhead" in args.which:
        bench_overhead(ids, args.repeat)
    if "phases" in args.which:
        bench_phases(ids)
    w1_seconds = None
    if "throughput" in args.which:
        w1_seconds = bench_throughput()
        bench_throughput(16, assignment_id="c1w1-quiz")
    if "scheduling" in args.which:
        sample = measured_task_times() if w1_seconds is None else None
        bench_scheduling(sample or [w1_seconds])
    if "memory" in args.which:
        bench_memory(ids)


def measured_task_times():
    """Grading times of the reference solutions, as the distribution of task times."""
    return [run_job(job_for(a, a.master)).seconds for a in course_layout.assignments().values()]


if __name__ == "__main__":
    main()
