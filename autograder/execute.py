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

import fcntl
import functools
import json
import os
import pwd
import random
import shlex
import shutil
import stat
import subprocess
import sys
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
from traitlets import Bool, Float, Integer, List, Unicode, Union

from autograder.verify import EXPORTS_ENV, export_spec

GIB = 1 << 30
UNEXPECTED_DEATH = "The Python kernel died"  # marks deaths no grading limit caused (run_job retries those)

KERNEL_UIDS = range(200_000, 300_000)  # a fresh one per grading job; no account needed
KERNEL_TASKS = 4096  # processes and threads a kernel's uid may have at once (a fork bomb stops there)
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")  # writable by everyone: swept after a kernel

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
    """Kills the kernel's processes when their resident memory passes the limit: its process
    tree and, for a kernel with its own uid, every process of that uid (a detached one too)."""

    def __init__(self, pid: int, limit: int, interval: float = 0.1, uid: int | None = None):
        super().__init__(daemon=True)
        self.pid, self.limit, self.interval, self.uid = pid, limit, interval, uid
        self.tripped = False
        self.peak = 0
        self._stop = threading.Event()

    def tree(self) -> list[psutil.Process]:
        """The kernel first, then its descendants, then the other processes of its uid."""
        found: dict[int, psutil.Process] = {}
        try:
            root = psutil.Process(self.pid)
            for process in (root, *root.children(recursive=True)):
                found[process.pid] = process
        except psutil.Error:
            pass
        if self.uid is not None:
            for process in _uid_processes(self.uid):
                found.setdefault(process.pid, process)
        return list(found.values())

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


def kernel_isolation() -> bool:
    """Whether grading kernels can run as their own unprivileged uid: the grader is root (only
    root can switch users) and the mount namespace works (root-owned covers the kernel cannot lift)."""
    return os.geteuid() == 0 and _sandbox()[1] and shutil.which("setpriv") is not None


# ---- the kernel's own uid ---------------------------------------------------------------

def _uid_processes(uid: int) -> list[psutil.Process]:
    """Every live (not zombie) process whose real, effective or saved uid is `uid`."""
    found = []
    for process in psutil.process_iter(["uids", "status"]):
        uids, status = process.info["uids"], process.info["status"]
        if uids and uid in (uids.real, uids.effective, uids.saved) and status != psutil.STATUS_ZOMBIE:
            found.append(process)
    return found


def kill_uid(uid: int, timeout: float = 30.0) -> bool:
    """SIGKILL every process running as `uid`, again until none is left (one may fork while the
    others are being killed). False if some still run after `timeout` seconds."""
    if uid <= 0 or uid == os.geteuid():
        raise ValueError(f"refusing to kill every process of uid {uid}")
    deadline = time.monotonic() + timeout
    while True:
        alive = _uid_processes(uid)
        if not alive:
            return True
        if time.monotonic() > deadline:
            return False
        _kill(alive)
        time.sleep(0.01)


def _lock_folder() -> str:
    """A folder only the grader's user can write: one lock file per uid in use."""
    for base in ("/run", tempfile.gettempdir()):
        folder = os.path.join(base, "autograder-kernel-uids")
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        except OSError:
            continue
        info = os.lstat(folder)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o077:
            return folder
    raise RuntimeError("no private folder for the grading kernels' uid locks (/run or the temporary folder)")


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


class KernelAccount:
    """An unprivileged uid (with the gid of the same number) held for one grading job.

    Concurrent jobs (Dask workers are separate processes) each hold a lock file named after
    their uid, so no two take the same one; a uid that some process still runs as, or that
    names an account of this system, is never taken.
    """

    def __init__(self, uid: int, fd: int, path: str):
        self.uid, self._fd, self._path = uid, fd, path

    @classmethod
    def reserve(cls) -> "KernelAccount":
        folder = _lock_folder()
        rng = random.SystemRandom()
        for _ in range(1000):
            uid = rng.randrange(KERNEL_UIDS.start, KERNEL_UIDS.stop)
            if _has_account(uid):
                continue
            path = os.path.join(folder, str(uid))
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                # Its previous holder may have removed the file between our open and lock.
                held = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
            except OSError:
                held = False
            if held and not _uid_processes(uid):
                return cls(uid, fd, path)
            os.close(fd)
        raise RuntimeError(f"no free uid for a grading kernel in {KERNEL_UIDS.start}-{KERNEL_UIDS.stop - 1}")

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.unlink(self._path)  # while still locked: a job that opened it meanwhile sees another inode
        except FileNotFoundError:
            pass
        os.close(self._fd)
        self._fd = None


def _may(path: str, uid: int, bits: int) -> bool:
    """Whether `uid` (whose only group is the gid of the same number) has `bits` (4 read,
    2 write, 1 enter) on `path`."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    shift = 6 if info.st_uid == uid else 3 if info.st_gid == uid else 0
    return (info.st_mode >> shift) & bits == bits


def _closed_ancestor(path: str, uid: int) -> str | None:
    """The highest folder above `path` that `uid` cannot pass through, if any."""
    for folder in reversed(Path(os.path.realpath(path)).parents):
        if not _may(str(folder), uid, 1):
            return str(folder)
    return None


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _python_folders() -> list[str]:
    """The folders the kernel's Python reads: the interpreter, the environment, this package."""
    candidates = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                  os.path.dirname(sys.executable), os.path.dirname(os.path.realpath(sys.executable)),
                  str(Path(__file__).resolve().parent.parent),
                  *(entry for entry in sys.path if entry and os.path.isabs(entry))}
    return sorted({os.path.realpath(path) for path in candidates if os.path.isdir(path)})


def _exposures(uid: int) -> list[tuple[str, str]]:
    """(folder, closed ancestor) for each Python folder `uid` may read but cannot reach, e.g.
    an interpreter installed under root's home (pyenv): the kernel's mount namespace covers the
    closed ancestor with an empty file system and mounts the folder back at its own path."""
    found: list[tuple[str, str]] = []
    for folder in _python_folders():  # sorted: a folder comes before the folders inside it
        closed = _closed_ancestor(folder, uid)
        if closed is None or closed == "/" or not _may(folder, uid, 5):
            continue
        if not any(_under(folder, exposed) for exposed, _ in found):
            found.append((folder, closed))
    return found


def hand_over(top: str, uid: int) -> dict[tuple[int, int], tuple[int, int, int]]:
    """The notebook's folder and the folders in it become `uid`'s, so its code can write there.
    Files stay root's: they may be hard links into the shared data cache. Returns each folder's
    owner, group and mode before, for `reclaim_tree` to put back."""
    before = {}

    def take(name, fd=None):
        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
        before[info.st_dev, info.st_ino] = (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode))
        os.chown(name, uid, uid, dir_fd=fd, follow_symlinks=False)

    take(top)
    for _, folders, _, fd in os.fwalk(top, follow_symlinks=False):
        for name in folders:
            take(name, fd)
    return before


def reclaim_tree(top: str, uid: int, before: dict | None = None) -> None:
    """Once `uid` runs no process: make what the kernel left in `top` safe for root, which
    writes the graded notebook there next. Symbolic links, FIFOs and sockets a kernel made are
    removed (root must never follow or block on them); the folders `hand_over` gave it get back
    their owner and mode (`before`), and what it made becomes root's, without set-id bits or
    write access for others. Folders are settled before their entries are read, so no other
    kernel user can slip something in meanwhile."""
    before = before or {}

    def by_kernel(info) -> bool:
        return info.st_uid == uid or info.st_uid in KERNEL_UIDS

    def settle(name, info, fd=None):
        if stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode):
            owner, group, mode = before.get((info.st_dev, info.st_ino) if stat.S_ISDIR(info.st_mode) else None) or (
                os.geteuid(), os.getegid(), stat.S_IMODE(info.st_mode) & 0o755)
            os.chown(name, owner, group, dir_fd=fd, follow_symlinks=False)
            os.chmod(name, mode, dir_fd=fd)  # not a link: checked above
        else:
            os.unlink(name, dir_fd=fd)

    info = os.lstat(top)
    if not stat.S_ISDIR(info.st_mode):
        return
    if by_kernel(info):
        settle(top, info)
    for _, folders, files, fd in os.fwalk(top, follow_symlinks=False):
        for name in (*folders, *files):
            try:
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            if by_kernel(info):
                settle(name, info, fd)


def sweep_shared_tmp(uid: int) -> None:
    """Remove what `uid` owns at the top of the folders everyone may write (/tmp, /dev/shm, ...)."""
    for folder in SHARED_TMP:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
                if info.st_uid != uid:
                    continue
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(entry.path)  # never follows links (file-descriptor based on Linux)
                else:
                    os.unlink(entry.path)
            except OSError:  # gone meanwhile, or not removable: the next sweep tries again
                pass


def _read(path: str) -> str | None:
    try:
        with open(path) as handle:
            return handle.read().strip()
    except OSError:
        return None


_warned: set[str] = set()


def _warn_once(log, message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


def default_hidden_paths() -> list[str]:
    """What no grading kernel may read: the hidden checks (thresholds, quiz keys) and their
    compiled copies, and, when this package runs from a checkout (an editable install), the
    master notebooks, the tests and the git history that holds all of them."""
    package = Path(__file__).resolve().parent
    checks = package / "checks"
    hidden = [str(path) for path in sorted(checks.iterdir())
              if path.name != "__init__.py" and (path.suffix == ".py" or path.name == "__pycache__")]
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file():
        hidden += [str(checkout / name) for name in ("solutions", "tests", ".git", "benchmarks", "gradebook.db")
                   if (checkout / name).exists()]
    return hidden


class OfflineKernelManager(AsyncKernelManager):
    """A kernel in its own empty network namespace, reached over Unix sockets (TCP cannot cross).

    Where the system allows a mount namespace too, `hidden_paths` (the master notebooks, other
    learners' submissions, the gradebook) are covered by empty file systems for the kernel only.
    After `run_as(uid)` the kernel runs as that unprivileged uid, without capabilities.

    Its folder (root's; with a uid: group uid, mode 0710) holds the connection file, `run/`
    (the sockets) and, with a uid, `home/` (the kernel's HOME and TMPDIR, owned by the uid).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        # IPC endpoints are file paths: absolute, since kernel and grader have different cwds.
        self.ipc_folder = tempfile.mkdtemp(prefix="autograder-kernel-")
        os.mkdir(os.path.join(self.ipc_folder, "run"), 0o700)
        kwargs.setdefault("ip", os.path.join(self.ipc_folder, "run", "ipc"))
        # Not in root's runtime folder, which another user cannot read.
        kwargs.setdefault("connection_file", os.path.join(self.ipc_folder, "kernel.json"))
        self.hidden_paths: list[str] = []
        self.kernel_uid: int | None = None
        self._exposed: list[tuple[str, str]] = []
        super().__init__(**kwargs)

    @property
    def home(self) -> str:
        return os.path.join(self.ipc_folder, "home")

    def run_as(self, uid: int) -> None:
        """Launch the kernel as `uid`: it may enter this folder, read the connection file, make
        its sockets in `run/`, and has `home/` for itself."""
        self.kernel_uid = uid
        os.chown(self.ipc_folder, os.geteuid(), uid)
        os.chmod(self.ipc_folder, 0o710)
        for name in ("run", "home", os.path.join("home", "tmp")):
            path = os.path.join(self.ipc_folder, name)
            os.makedirs(path, mode=0o700, exist_ok=True)
            os.chown(path, uid, uid)
        self._exposed = _exposures(uid)
        if self._exposed:
            os.mkdir(os.path.join(self.ipc_folder, "expose"), 0o700)

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.kernel_uid is not None:  # readable by the kernel's group, written by root only
            os.chown(self.connection_file, os.geteuid(), self.kernel_uid)
            os.chmod(self.connection_file, 0o640)

    def format_kernel_cmd(self, extra_arguments=None):
        prefix, can_hide = _sandbox()
        command = super().format_kernel_cmd(extra_arguments)
        hidden = [p for p in self.hidden_paths if os.path.exists(p)]
        if self.kernel_uid is not None:
            # Own IPC namespace too: System V shared memory and queues die with the kernel.
            return [prefix[0], "--ipc", *prefix[1:], "sh", "-c", " && ".join(self._unprivileged_steps(hidden)),
                    "sh", *command]
        if not (can_hide and hidden):
            return [*prefix, *command]
        return [*prefix, "sh", "-c", " && ".join([*_covers(hidden), 'exec "$@"']), "sh", *command]

    def _unprivileged_steps(self, hidden: list[str]) -> list[str]:
        """Run as root in the kernel's new mount namespace, then become the kernel's uid."""
        q = shlex.quote
        steps = ["umask 022"]
        stages = [os.path.join(self.ipc_folder, "expose", str(i)) for i in range(len(self._exposed))]
        for stage, (folder, _) in zip(stages, self._exposed):
            steps += [f"mkdir -p {q(stage)}", f"mount --rbind {q(folder)} {q(stage)}"]
        closed = sorted({ancestor for _, ancestor in self._exposed})
        steps += [f"mount -t tmpfs -o mode=0755,size=1m none {q(folder)}" for folder in closed]
        for stage, (folder, _) in zip(stages, self._exposed):
            steps += [f"mkdir -p {q(folder)}", f"mount --rbind {q(stage)} {q(folder)}", f"umount -R {q(stage)}"]
        # A hidden path under a covered folder is gone already, unless it was mounted back.
        hidden = [path for path in hidden
                  if not any(_under(os.path.realpath(path), folder) for folder in closed)
                  or any(_under(os.path.realpath(path), folder) for folder, _ in self._exposed)]
        steps += _covers(hidden)
        # Its own /proc: other users' processes (the grader, other kernels) are not listed.
        steps.append("mount -t proc -o hidepid=2 proc /proc")
        uid = self.kernel_uid
        limit = f"{shutil.which('prlimit')} --nproc={KERNEL_TASKS} -- " if shutil.which("prlimit") else ""
        steps.append(f"exec {limit}{shutil.which('setpriv')} --reuid={uid} --regid={uid} --clear-groups "
                     f'--inh-caps=-all --bounding-set=-all --no-new-privs -- "$@"')
        return steps

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.kernel_uid is not None:
            kw["env"] = {**(kw.get("env") or os.environ), **self._private_env()}
        await super()._async_launch_kernel(kernel_cmd, **kw)

    def _private_env(self) -> dict[str, str]:
        """HOME and everything derived from it (IPython, matplotlib, Keras) in the kernel's own home."""
        home = self.home
        return {
            "HOME": home, "TMPDIR": os.path.join(home, "tmp"), "USER": "learner", "LOGNAME": "learner",
            "IPYTHONDIR": os.path.join(home, ".ipython"),
            "MPLCONFIGDIR": os.path.join(home, ".config", "matplotlib"),
            "KERAS_HOME": os.path.join(home, ".keras"),
            "XDG_CACHE_HOME": os.path.join(home, ".cache"),
            "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
            "JUPYTER_CONFIG_DIR": os.path.join(home, ".jupyter"),
            "JUPYTER_DATA_DIR": os.path.join(home, ".local", "share", "jupyter"),
            "JUPYTER_RUNTIME_DIR": os.path.join(home, ".local", "share", "jupyter", "runtime"),
        }


def _covers(hidden: list[str]) -> list[str]:
    return [f"mount -t tmpfs -o size=64k none {shlex.quote(p)}" if os.path.isdir(p)
            else f"mount --bind /dev/null {shlex.quote(p)}" for p in hidden]


class GuardedExecute(Execute):
    cell_timeout = Integer(900, help="Default seconds per cell, when the master sets none").tag(config=True)
    notebook_timeout = Integer(3600, help="Default seconds per notebook, when the master sets none").tag(config=True)
    memory_gib = Float(3.0, help="Default memory cap per grading job in GiB, when the master sets none").tag(config=True)
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
        if not self.allow_network:
            if _sandbox()[0]:
                self.kernel_manager_class = OfflineKernelManager
            else:
                self.log.warning("This system does not let the grader take the network away from learner code.")
            if os.geteuid() != 0 and self._wants_own_user():
                _warn_once(self.log, "The grader does not run as root, so grading kernels run as the grader's own "
                           "user: hiding the masters and other folders from learner code is best effort (it could "
                           "uncover them), and processes it leaves behind may outlive grading. Run the grader as "
                           "root for a separate unprivileged user per grading job.")

    def _wants_own_user(self) -> bool:
        return str(self.kernel_user).strip().lower() not in ("", "root", "0")

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
        # What the hidden test cells save for the checks, which run outside the kernel
        # (autograder.verify); the kernel cannot read the check modules themselves.
        os.environ[EXPORTS_ENV] = json.dumps(export_spec((resources or {}).get("nbgrader", {}).get("assignment")))
        self._deadline = time.monotonic() + self._notebook_limit
        self._watchdog = None
        self._ready = False
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
            try:
                if self._watchdog is not None:
                    self._watchdog.stop()
                if self._uid is not None:
                    self._reclaim()
                elif self._watchdog is not None:
                    _kill(self._watchdog.tree()[1:])  # forks left running; the kernel shuts down normally
            finally:
                for folder in self._ipc_folders:
                    shutil.rmtree(folder, ignore_errors=True)
                self._ipc_folders = []
                if self._account is not None:
                    self._account.release()
                    self._account = None

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
        closed = _closed_ancestor(cwd, uid) or _closed_ancestor(tmp, uid) or (None if _may(tmp, uid, 1) else tmp)
        if _read("/proc/sys/fs/protected_hardlinks") == "0":
            _warn_once(self.log, "fs.protected_hardlinks is 0 on this system: learner code could hard-link "
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
        if isinstance(km, OfflineKernelManager):
            km.hidden_paths = [*default_hidden_paths(), *self.hidden_paths]
            self._ipc_folders.append(km.ipc_folder)  # removed once the notebook is done
            if self._uid is not None:
                km.run_as(self._uid)
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
        self._watchdog = _MemoryWatchdog(self.km.provisioner.process.pid, self._memory_limit, uid=self._uid)
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
        if self._uid is not None:
            kill_uid(self._uid)  # what the dead kernel left running (detached ones too) goes with it
        run_sync(self.km.restart_kernel)(now=True)  # same ports: the client reconnects
        self.wait_for_reply(self.kc.kernel_info())
