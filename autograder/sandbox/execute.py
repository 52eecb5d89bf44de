"""GuardedExecute: nbgrader's Execute with this course's limits and a deterministic start.

* time: a per-cell and a per-notebook limit, per assignment (the master notebook's metadata
  `autograder.limits`, set from the measured reference time with headroom);
* memory: a watchdog kills the kernel when it and its child processes (as its own user: every
  process of that user) use more than the assignment's cap;
* a kernel that dies (os._exit, a segfault, the memory cap, the OOM killer) costs the cell it
  was running: that cell gets an error saying what happened, the kernel restarts, and
  grading goes on with the next cell instead of failing the whole submission;
* determinism: hash seed, op determinism and seeds are set before any learner code runs;
* processes the learner's code left behind (forks) are killed when the notebook is done;
* no network: on Linux the kernel starts in its own empty network namespace (`unshare`) and
  talks to the grader over Unix sockets; where that is not permitted it runs as usual and a
  warning says so;
* its own user: where the grader runs as root, the kernel runs as a fresh unprivileged uid per
  grading job, without capabilities (`setpriv`): it cannot take the covers off hidden folders,
  enter other jobs' folders or write outside its own; every process of that uid is killed when
  the notebook is done (detached daemons included), and what it left in the notebook's folder
  is made safe for the grader to write there. A grader that is not root cannot switch users:
  there, hiding is best effort and a warning says so.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time

import nbformat
from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Dict, Float, Integer, List, Unicode, Union

from autograder import timing
from autograder.artifacts import EXPORTS_ENV
from autograder.artifacts.spec import export_spec
from autograder.sandbox.accounts import KernelAccount
from autograder.sandbox.cleanup import hand_over, reclaim_tree, sweep_shared_tmp
from autograder.sandbox.kernel import GuardedKernelManager, OfflineKernelManager
from autograder.sandbox.namespaces import closed_ancestor, kernel_isolation, may, namespace_prefix
from autograder.sandbox.policy import hidden_paths
from autograder.sandbox.processes import kill_processes, kill_uid
from autograder.sandbox.watchdog import MemoryWatchdog

GIB = 1 << 30
UNEXPECTED_DEATH = "The Python kernel died"  # marks deaths no grading limit caused (run_job retries those)

# Run in the kernel before the first cell; nothing here is visible in the notebook.
DETERMINISTIC_SETUP = """
import random as _random
import numpy as _np
_random.seed(0)
_np.random.seed(0)
del _random, _np
"""

DETERMINISTIC_ENV = {
    "PYTHONHASHSEED": "0",
    "TF_DETERMINISTIC_OPS": "1",   # TensorFlow picks deterministic kernels
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "MPLBACKEND": "Agg",
}


def error_output(ename: str, evalue: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def read_text(path: str) -> str | None:
    try:
        with open(path) as handle:
            return handle.read().strip()
    except OSError:
        return None


_warned: set[str] = set()


def warn_once(log, message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


class GuardedExecute(Execute):
    # The grader sets these from the master's `autograder.limits` (autograder.pipeline.course_folder).
    cell_timeout = Integer(900, help="Seconds a cell may run").tag(config=True)
    notebook_timeout = Integer(3600, help="Seconds the whole notebook may run").tag(config=True)
    memory_gib = Float(3.0, help="Memory cap of the kernel and its processes, in GiB").tag(config=True)
    kernel_env = Dict(Unicode(), help="More environment for the kernel (e.g. its share of CPU threads)").tag(config=True)
    setup_code = Unicode(DETERMINISTIC_SETUP, help="Run in the kernel before the first cell").tag(config=True)
    allow_network = Bool(False, help="Let learner code use the network").tag(config=True)
    hidden_paths = List(Unicode(), help="Folders and files the kernel must not see (beside the checkout's masters)").tag(config=True)
    kernel_user = Union([Integer(), Unicode()], default_value="auto", help=(
        "Who the kernel runs as where the grader is root and the mount namespace works: 'auto' (a "
        "fresh unprivileged uid per notebook; autograder's run_job reserves one per job and passes "
        "it here), a uid, or 'root' / '' (the grader's own user)")).tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._ipc_folders = []
        self._uid: int | None = None
        self._account: KernelAccount | None = None
        self.kernel_manager_class = GuardedKernelManager
        if not self.allow_network:
            if namespace_prefix()[0]:
                self.kernel_manager_class = OfflineKernelManager
            else:
                self.log.warning("This system does not let the grader take the network away from learner code.")
            if os.geteuid() != 0 and self._wants_own_user():
                warn_once(self.log, "The grader does not run as root, so grading kernels run as the grader's own "
                           "user: hiding the masters and other folders from learner code is best effort (it could "
                           "uncover them), and processes it leaves behind may outlive grading. Run the grader as "
                           "root for a separate unprivileged user per grading job.")

    def _wants_own_user(self) -> bool:
        return str(self.kernel_user).strip().lower() not in ("", "root", "0")

    def preprocess(self, nb, resources=None, km=None):
        self.timeout = self.cell_timeout
        self._notebook_limit = float(self.notebook_timeout)
        self._memory_limit = int(float(self.memory_gib) * GIB)
        self.error_on_timeout = {
            "ename": "CellTimeLimit",
            "evalue": f"This cell ran longer than its time limit of {self.timeout} s and was stopped. "
                      "Look for a loop that never ends, or training with far more epochs or data than the task asks for.",
            "traceback": [f"CellTimeLimit: the cell time limit is {self.timeout} s"],
        }
        # What the hidden test cells save for the checks, which run outside the kernel
        # (autograder.artifacts.spec); the kernel cannot read the check modules themselves.
        spec = export_spec((resources or {}).get("nbgrader", {}).get("assignment"))
        self._kernel_env = {**DETERMINISTIC_ENV, **self.kernel_env, EXPORTS_ENV: json.dumps(spec)}
        self._deadline = time.monotonic() + self._notebook_limit
        self._started = time.perf_counter()
        self._watchdog = None
        self._ready = False
        self._kernel_ready = None
        # nbgrader starts the kernel in the notebook's folder (without one: the grader's own
        # folder, which is not handed to the kernel).
        path = (resources or {}).get("metadata", {}).get("path")
        self._cwd = os.path.realpath(path) if path else None
        self._uid = self._kernel_uid(self._cwd or os.getcwd())
        self._handed_over = None
        try:
            if self._uid is not None:
                sweep_shared_tmp(self._uid)  # nothing of an earlier job with this uid
                if self._cwd is not None:
                    self._handed_over = hand_over(self._cwd, self._uid)
            return super().preprocess(nb, resources, km)
        finally:
            self._record_phases()
            try:
                if self._watchdog is not None:
                    self._watchdog.stop()
                if self._uid is not None:
                    self._reclaim()
                elif self._watchdog is not None:
                    kill_processes(self._watchdog.tree()[1:])  # forks left running; the kernel shuts down normally
            finally:
                for folder in self._ipc_folders:
                    shutil.rmtree(folder, ignore_errors=True)
                self._ipc_folders = []
                if self._account is not None:
                    self._account.release()
                    self._account = None

    def _record_phases(self) -> None:
        ready, ended = self._kernel_ready or time.perf_counter(), time.perf_counter()
        timing.add("kernel start", ready - self._started)
        timing.add("execution", ended - ready)

    def _kernel_uid(self, cwd: str) -> int | None:
        """The uid the kernel runs as, or None: the grader's own user (as before)."""
        if not (self._wants_own_user() and isinstance(self.kernel_manager_class, type)
                and issubclass(self.kernel_manager_class, OfflineKernelManager) and kernel_isolation()):
            return None
        wanted = str(self.kernel_user).strip().lower()
        if wanted == "auto":
            self._account = KernelAccount.reserve()
            uid = self._account.uid
        else:
            uid = int(wanted)
            if uid <= 0 or uid == os.geteuid():
                raise ValueError(f"GuardedExecute.kernel_user must be an unprivileged uid, not {uid}")
        # The kernel must reach its folder (its own) and its connection folder in the temporary folder.
        tmp = tempfile.gettempdir()
        closed = closed_ancestor(cwd, uid) or closed_ancestor(tmp, uid) or (None if may(tmp, uid, 1) else tmp)
        if read_text("/proc/sys/fs/protected_hardlinks") == "0":
            warn_once(self.log, "fs.protected_hardlinks is 0 on this system: learner code could hard-link "
                       "files it does not own into its folder, where the grader writes. Set it to 1.")
        if closed is not None:
            self.log.warning(
                "The grading kernel runs as root, not as an unprivileged user, for %s: the folder %s "
                "cannot be entered by other users. Grade in folders every user may pass through "
                "(e.g. mode 0755) to give learner code its own user.", cwd, closed)
            if self._account is not None:
                self._account.release()
                self._account = None
            return None
        return uid

    def _reclaim(self) -> None:
        """After the notebook: no process of the kernel's uid is left (detached ones included),
        nothing it left in the notebook's folder can mislead root, nothing of it stays in /tmp."""
        if not kill_uid(self._uid):
            raise RuntimeError(f"processes of the grading kernel's uid {self._uid} would not stop")
        if self._handed_over is not None:
            reclaim_tree(self._cwd, self._uid, self._handed_over)
        sweep_shared_tmp(self._uid)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, GuardedKernelManager):
            km.kernel_env = self._kernel_env
        if isinstance(km, OfflineKernelManager):
            km.hidden_paths = sorted({*hidden_paths(), *self.hidden_paths})
            self._ipc_folders.append(km.ipc_folder)  # removed once the notebook is done
            if self._uid is not None:
                km.run_as(self._uid)
        return km

    def _prepare_kernel(self):
        """Seeds before learner code, and a watchdog on the (possibly restarted) kernel."""
        if self._watchdog is not None:
            self._watchdog.stop()
        self._watchdog = MemoryWatchdog(self.km.provisioner.process.pid, self._memory_limit, uid=self._uid)
        self._watchdog.start()
        reply = self.wait_for_reply(self.kc.execute(self.setup_code, store_history=False, silent=True))
        if reply is None or reply["content"]["status"] != "ok":
            raise RuntimeError("the grading kernel could not run its set-up code")
        self._ready = True
        if self._kernel_ready is None:
            self._kernel_ready = time.perf_counter()

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        if not self._ready:
            self._prepare_kernel()
        if time.monotonic() > self._deadline:
            cell.outputs = [error_output(
                "NotebookTimeLimit",
                f"Not run: the whole notebook passed its time limit of {self._notebook_limit:.0f} s before this cell.",
            )]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(error_output("KernelDied", self._death_reason()))
            self._restart()
            return cell, resources

    def _death_reason(self) -> str:
        if self._watchdog is not None and self._watchdog.tripped:
            return (f"This cell used more than the memory limit of {self._memory_limit / GIB:g} GiB and was "
                    "stopped. Use smaller arrays or batches, or free what you no longer need.")
        return (f"{UNEXPECTED_DEATH} while running this cell (it exited, e.g. through os._exit() or "
                "sys.exit() in a child, crashed, or was killed by the system). Everything defined before "
                "was lost, so later cells that need it fail too.")

    def _restart(self):
        self._ready = False
        if self._uid is not None:
            kill_uid(self._uid)  # what the dead kernel left running (detached ones too) goes with it
        run_sync(self.km.restart_kernel)(now=True)  # same ports: the client reconnects
        self.wait_for_reply(self.kc.kernel_info())
