"""Before and after a kernel with its own uid: its folder handed over, then taken back safely, and
what it left in the folders everyone may write removed."""
from __future__ import annotations

import os
import shutil
import stat

from autograder.sandbox.accounts import KERNEL_UIDS, KernelAccount
from autograder.sandbox.namespaces import kernel_isolation

SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")  # writable by everyone: swept after a kernel


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


def reclaim_abandoned_uids() -> None:
    """A job killed with its kernel left the uid's lock file and perhaps files in the shared
    folders: removed by the next job on this machine."""
    if not kernel_isolation():
        return
    for account in KernelAccount.abandoned():
        sweep_shared_tmp(account.uid)
        account.release()
