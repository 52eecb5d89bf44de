"""The kernel's own uid: a fresh unprivileged one per grading job, held with a lock file so that
concurrent jobs (Dask workers are separate processes) never share one."""
from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import random
import stat
import tempfile
from pathlib import Path

from autograder.sandbox.namespaces import kernel_isolation
from autograder.sandbox.processes import kill_uid, uid_processes

KERNEL_UIDS = range(200_000, 300_000)  # a fresh one per grading job; no account needed


def lock_folder() -> str:
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


def has_account(uid: int) -> bool:
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
        folder = lock_folder()
        rng = random.SystemRandom()
        for _ in range(1000):
            uid = rng.randrange(KERNEL_UIDS.start, KERNEL_UIDS.stop)
            if has_account(uid):
                continue
            account = cls._take(folder, uid)
            if account is not None:
                return account
        raise RuntimeError(f"no free uid for a grading kernel in {KERNEL_UIDS.start}-{KERNEL_UIDS.stop - 1}")

    @classmethod
    def abandoned(cls) -> list["KernelAccount"]:
        """The uids whose lock file outlived its job (a killed worker), taken. What still runs as
        one is a kernel its killed job left (one that started as its worker died does not see
        its parent go): killed first, by pid. A uid whose job is alive stays locked by it."""
        folder, found = lock_folder(), []
        for name in os.listdir(folder):
            if name.isdigit() and int(name) in KERNEL_UIDS:
                account = cls._take(folder, int(name), end_orphans=True)
                if account is not None:
                    found.append(account)
        return found

    @classmethod
    def _take(cls, folder: str, uid: int, end_orphans: bool = False) -> "KernelAccount | None":
        path = os.path.join(folder, str(uid))
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # Its previous holder may have removed the file between our open and lock.
            held = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except OSError:
            held = False
        if held and end_orphans:
            kill_uid(uid, timeout=5)
        if held and not uid_processes(uid):
            return cls(uid, fd, path)
        os.close(fd)
        return None

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.unlink(self._path)  # while still locked: a job that opened it meanwhile sees another inode
        except FileNotFoundError:
            pass
        os.close(self._fd)
        self._fd = None


@contextlib.contextmanager
def job_uids():
    """Hands out `take()`: a fresh uid for a grading job's kernel, or None where kernels cannot
    have their own. Every uid taken is released when the block ends: end it only once the job's
    folder is gone, so that the next holder of the uid never enters it."""
    held: list[KernelAccount] = []

    def take() -> int | None:
        if not kernel_isolation():
            return None
        held.append(KernelAccount.reserve())
        return held[-1].uid

    try:
        yield take
    finally:
        for account in held:
            account.release()


def close_to_other_kernels(folder: Path, uid: int) -> None:
    """Only root and `uid` may enter `folder` (group uid, mode 0710): no other job's kernel can
    read the submission in it."""
    os.chown(folder, os.geteuid(), uid)
    os.chmod(folder, 0o710)
