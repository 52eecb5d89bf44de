"""The memory cap: a watchdog that kills a kernel's processes when together they use too much."""
from __future__ import annotations

import threading

import psutil

from autograder.sandbox.processes import kill_processes, uid_processes


class MemoryWatchdog(threading.Thread):
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
            for process in uid_processes(self.uid):
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
                kill_processes(processes)
                return

    def stop(self):
        self._stop.set()
