"""The grading kernel's process: started with its own environment, without network, with hidden
folders covered, and (where the grader is root) as its own unprivileged uid."""
from __future__ import annotations

import os
import shlex
import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager

from autograder import scratch
from autograder.sandbox.namespaces import covers, exposures, namespace_prefix, under

KERNEL_TASKS = 4096  # processes and threads a kernel's uid may have at once (a fork bomb stops there)

KERNEL_FOLDER = "autograder-kernel-"  # its connection file, sockets and, with a uid, HOME


class GuardedKernelManager(AsyncKernelManager):
    """A kernel started with the grader's environment plus `kernel_env` (seeds, what to save for
    the checks), given to the kernel alone: the grader's own environment never changes."""

    kernel_env: dict[str, str] = {}

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        kw["env"] = {**(kw.get("env") or os.environ), **self.kernel_env, **self._private_env()}
        await super()._async_launch_kernel(kernel_cmd, **kw)

    def _private_env(self) -> dict[str, str]:
        return {}


class OfflineKernelManager(GuardedKernelManager):
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
        self.ipc_folder = tempfile.mkdtemp(prefix=scratch.tag(KERNEL_FOLDER))
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
        self._exposed = exposures(uid)
        if self._exposed:
            os.mkdir(os.path.join(self.ipc_folder, "expose"), 0o700)

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.kernel_uid is not None:  # readable by the kernel's group, written by root only
            os.chown(self.connection_file, os.geteuid(), self.kernel_uid)
            os.chmod(self.connection_file, 0o640)

    def format_kernel_cmd(self, extra_arguments=None):
        prefix, can_hide = namespace_prefix()
        command = super().format_kernel_cmd(extra_arguments)
        hidden = [p for p in self.hidden_paths if os.path.exists(p)]
        if self.kernel_uid is not None:
            # Own IPC namespace too: System V shared memory and queues die with the kernel.
            return [prefix[0], "--ipc", *prefix[1:], "sh", "-c", " && ".join(self._unprivileged_steps(hidden)),
                    "sh", *command]
        if not (can_hide and hidden):
            return [*prefix, *command]
        return [*prefix, "sh", "-c", " && ".join([*covers(hidden), 'exec "$@"']), "sh", *command]

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
                  if not any(under(os.path.realpath(path), folder) for folder in closed)
                  or any(under(os.path.realpath(path), folder) for folder, _ in self._exposed)]
        steps += covers(hidden)
        # Its own /proc: other users' processes (the grader, other kernels) are not listed.
        steps.append("mount -t proc -o hidepid=2 proc /proc")
        uid = self.kernel_uid
        limit = f"{shutil.which('prlimit')} --nproc={KERNEL_TASKS} -- " if shutil.which("prlimit") else ""
        steps.append(f"exec {limit}{shutil.which('setpriv')} --reuid={uid} --regid={uid} --clear-groups "
                     f'--inh-caps=-all --bounding-set=-all --no-new-privs -- "$@"')
        return steps

    def _private_env(self) -> dict[str, str]:
        """HOME and everything derived from it (IPython, matplotlib, Keras) in the kernel's own home."""
        if self.kernel_uid is None:
            return {}
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
