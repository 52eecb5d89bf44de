"""Processes of a grading kernel: found by uid (detached ones too) and killed, by pid only."""
from __future__ import annotations

import os
import time

import psutil


def uid_processes(uid: int) -> list[psutil.Process]:
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
        alive = uid_processes(uid)
        if not alive:
            return True
        if time.monotonic() > deadline:
            return False
        kill_processes(alive)
        time.sleep(0.01)


def kill_processes(processes):
    for process in processes:
        try:
            process.kill()
        except psutil.Error:
            pass
