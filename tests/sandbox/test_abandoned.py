"""What a killed job leaves (its folders, its kernel's uid lock and files) is removed by the
next job on the machine; what a running job holds is not."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile

import pytest

from autograder import scratch
from autograder.sandbox import accounts, cleanup


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid  # ended and reaped: no process has it (until the kernel hands it out again)


def test_folders_of_a_process_that_ended_are_removed(tmp_path):
    host = socket.gethostname()
    dead = tmp_path / f"autograder-{host}-{dead_pid()}-abc"
    running = tmp_path / f"autograder-{host}-{os.getpid()}-def"
    elsewhere = tmp_path / f"autograder-another-host-{dead_pid()}-ghi"  # a cache shared over the network
    other = tmp_path / f"autograder-kernel-{host}-{dead_pid()}-jkl"  # another prefix
    for folder in (dead, running, elsewhere, other):
        (folder / "inside").mkdir(parents=True)
    scratch.remove_abandoned("autograder-", tmp_path)
    assert not dead.exists()
    assert running.exists() and elsewhere.exists() and other.exists()


def test_a_tagged_folder_names_its_maker(tmp_path):
    with scratch.folder("autograder-", tmp_path) as made:
        assert os.path.basename(made).startswith(f"autograder-{socket.gethostname()}-{os.getpid()}-")
        scratch.remove_abandoned("autograder-", tmp_path)  # its maker runs: kept
        assert os.path.isdir(made)


@pytest.fixture
def lock_folder(tmp_path, monkeypatch):
    folder = tmp_path / "locks"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(accounts, "lock_folder", lambda: str(folder))
    monkeypatch.setattr(cleanup, "kernel_isolation", lambda: True)
    return folder


def test_the_lock_of_a_killed_job_is_reclaimed_and_its_files_swept(lock_folder, monkeypatch):
    held = accounts.KernelAccount.reserve()  # a running job's uid
    abandoned = held.uid + 1 if held.uid + 1 in accounts.KERNEL_UIDS else held.uid - 1
    (lock_folder / str(abandoned)).touch()  # its job was killed: nobody holds the lock
    swept = []
    monkeypatch.setattr(cleanup, "sweep_shared_tmp", swept.append)
    cleanup.reclaim_abandoned_uids()
    assert swept == [abandoned] and not (lock_folder / str(abandoned)).exists()
    assert (lock_folder / str(held.uid)).exists()  # still held: untouched
    held.release()
    assert not (lock_folder / str(held.uid)).exists()


def test_temporary_files_of_a_block_go_to_a_folder_named_after_the_process(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with scratch.temporary_files() as folder:
        made = tempfile.mkdtemp()  # as nbgrader makes the folder of its alembic.ini
        assert os.path.dirname(made) == folder
        assert os.path.basename(folder).startswith(scratch.tag(scratch.FILES))
    assert tempfile.tempdir == str(tmp_path) and not os.path.exists(folder)


def run_as(uid: int) -> subprocess.Popen:
    return subprocess.Popen(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "sleep", "60"])


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv to switch uid")
def test_a_kernel_its_killed_job_left_is_ended_and_its_uid_taken_back(lock_folder, monkeypatch):
    """A kernel that started as its worker died never sees its parent go: the next job ends it."""
    monkeypatch.setattr(cleanup, "sweep_shared_tmp", lambda uid: None)
    held = accounts.KernelAccount.reserve()
    abandoned = held.uid + 1 if held.uid + 1 in accounts.KERNEL_UIDS else held.uid - 1
    (lock_folder / str(abandoned)).touch()
    orphan, running = run_as(abandoned), run_as(held.uid)
    try:
        cleanup.reclaim_abandoned_uids()
        assert orphan.wait(timeout=10) == -9 and not (lock_folder / str(abandoned)).exists()
        assert running.poll() is None  # its job holds the uid: untouched
    finally:
        for process in (orphan, running):  # only the two started here, by pid
            if process.poll() is None:
                process.kill()
            process.wait()
        held.release()
