"""GuardedExecute: nbgrader's Execute with this course's limits and a deterministic start.

* time: a per-cell and a per-notebook limit, per assignment (the master notebook's metadata
  `autograder.limits`, set from the measured reference time with headroom);
* memory: a watchdog kills the kernel when it and its child processes use more than the
  assignment's cap;
* a kernel that dies (os._exit, a segfault, the memory cap, the OOM killer) costs the cell it
  was running: that cell gets an error saying what happened, the kernel restarts, and
  grading goes on with the next cell instead of failing the whole submission;
* determinism: hash seed, op determinism and seeds are set before any learner code runs;
* processes the learner's code left behind (forks) are killed when the notebook is done;
* no network: on Linux the kernel starts in its own empty network namespace (`unshare`) and
  talks to the grader over Unix sockets; where that is not permitted it runs as usual and a
  warning says so.
"""
from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Float, Integer, List, Unicode

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


class _MemoryWatchdog(threading.Thread):
    """Kills the kernel's process tree when its resident memory passes the limit."""

    def __init__(self, pid: int, limit: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.limit, self.interval = pid, limit, interval
        self.tripped = False
        self.peak = 0
        self._stop = threading.Event()

    def tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def run(self):
        while not self._stop.wait(self.interval):
            processes = self.tree()
            used = 0
            for process in processes:
                try:
                    used += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, used)
            if used > self.limit:
                self.tripped = True
                _kill(processes)
                return

    def stop(self):
        self._stop.set()


def _kill(processes):
    for process in processes:
        try:
            process.kill()
        except psutil.Error:
            pass


@functools.cache
def _sandbox() -> tuple[tuple[str, ...], bool]:
    """(command prefix that runs a program without network, whether it can also hide folders).

    Tried in order: a network + mount namespace (root, or an unprivileged user namespace),
    then a network namespace alone; () where this system permits neither.
    """
    unshare = shutil.which("unshare")
    if not unshare:
        return (), False
    with tempfile.TemporaryDirectory() as probe:
        for prefix, hides in (((unshare, "--net", "--mount"), True),
                              ((unshare, "--map-root-user", "--net", "--mount"), True),
                              ((unshare, "--net"), False),
                              ((unshare, "--map-root-user", "--net"), False)):
            test = ["sh", "-c", 'mount -t tmpfs none "$1"', "sh", probe] if hides else ["true"]
            try:
                if subprocess.run([*prefix, *test], capture_output=True, timeout=10).returncode == 0:
                    return prefix, hides
            except (OSError, subprocess.TimeoutExpired):
                continue
    return (), False


def default_hidden_paths() -> list[str]:
    """The checkout's master notebooks, when this package runs from one (an editable install)."""
    solutions = Path(__file__).resolve().parent.parent / "solutions"
    return [str(solutions)] if solutions.is_dir() else []


class OfflineKernelManager(AsyncKernelManager):
    """A kernel in its own empty network namespace, reached over Unix sockets (TCP cannot cross).

    Where the system allows a mount namespace too, `hidden_paths` (the master notebooks, other
    learners' submissions, the gradebook) are covered by empty file systems for the kernel only.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        # IPC endpoints are file paths: absolute, since kernel and grader have different cwds.
        self.ipc_folder = tempfile.mkdtemp(prefix="autograder-kernel-")
        kwargs.setdefault("ip", os.path.join(self.ipc_folder, "ipc"))
        self.hidden_paths: list[str] = []
        super().__init__(**kwargs)

    def format_kernel_cmd(self, extra_arguments=None):
        prefix, can_hide = _sandbox()
        command = super().format_kernel_cmd(extra_arguments)
        hidden = [p for p in self.hidden_paths if os.path.exists(p)]
        if not (can_hide and hidden):
            return [*prefix, *command]
        covers = [f"mount -t tmpfs -o size=64k none {shlex.quote(p)}" if os.path.isdir(p)
                  else f"mount --bind /dev/null {shlex.quote(p)}" for p in hidden]
        return [*prefix, "sh", "-c", " && ".join([*covers, 'exec "$@"']), "sh", *command]


class GuardedExecute(Execute):
    cell_timeout = Integer(900, help="Default seconds per cell, when the master sets none").tag(config=True)
    notebook_timeout = Integer(3600, help="Default seconds per notebook, when the master sets none").tag(config=True)
    memory_gib = Float(3.0, help="Default memory cap per grading job in GiB, when the master sets none").tag(config=True)
    setup_code = Unicode(DETERMINISTIC_SETUP, help="Run in the kernel before the first cell").tag(config=True)
    allow_network = Bool(False, help="Let learner code use the network").tag(config=True)
    hidden_paths = List(Unicode(), help="Folders and files the kernel must not see (beside the checkout's masters)").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._ipc_folders = []
        if not self.allow_network:
            if _sandbox()[0]:
                self.kernel_manager_class = OfflineKernelManager
            else:
                self.log.warning("This system does not let the grader take the network away from learner code.")

    def preprocess(self, nb, resources=None, km=None):
        limits = self._limits(resources or {})
        self.timeout = int(limits.get("cell_timeout", self.cell_timeout))
        self._notebook_limit = float(limits.get("notebook_timeout", self.notebook_timeout))
        self._memory_limit = int(float(limits.get("memory_gib", self.memory_gib)) * GIB)
        self.error_on_timeout = {
            "ename": "CellTimeLimit",
            "evalue": f"This cell ran longer than its time limit of {self.timeout} s and was stopped. "
                      "Look for a loop that never ends, or training with far more epochs or data than the task asks for.",
            "traceback": [f"CellTimeLimit: the cell time limit is {self.timeout} s"],
        }
        os.environ.update(DETERMINISTIC_ENV)  # inherited by the kernel started below
        self._deadline = time.monotonic() + self._notebook_limit
        self._watchdog = None
        self._ready = False
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self._watchdog is not None:
                self._watchdog.stop()
                _kill(self._watchdog.tree()[1:])  # forks left running; the kernel shuts down normally
            for folder in self._ipc_folders:
                shutil.rmtree(folder, ignore_errors=True)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, OfflineKernelManager):
            km.hidden_paths = [*default_hidden_paths(), *self.hidden_paths]
            self._ipc_folders.append(km.ipc_folder)  # removed once the notebook is done
        return km

    def _limits(self, resources) -> dict:
        """The master notebook's `autograder.limits` (never the submission's own metadata)."""
        info = resources.get("nbgrader", {})
        if not info.get("assignment"):
            return {}
        coursedir = CourseDirectory(config=self.config)
        master = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"])) / f"{info['notebook']}.ipynb"
        if not master.is_file():
            return {}
        return nbformat.read(master, as_version=4).metadata.get("autograder", {}).get("limits", {})

    def _prepare_kernel(self):
        """Seeds before learner code, and a watchdog on the (possibly restarted) kernel."""
        if self._watchdog is not None:
            self._watchdog.stop()
        self._watchdog = _MemoryWatchdog(self.km.provisioner.process.pid, self._memory_limit)
        self._watchdog.start()
        reply = self.wait_for_reply(self.kc.execute(self.setup_code, store_history=False, silent=True))
        if reply is None or reply["content"]["status"] != "ok":
            raise RuntimeError("the grading kernel could not run its set-up code")
        self._ready = True

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
        run_sync(self.km.restart_kernel)(now=True)  # same ports: the client reconnects
        self.wait_for_reply(self.kc.kernel_info())
