"""The grading kernel's sandbox, in one place: what learner code may not do, and how.

`execute.GuardedExecute` (nbgrader's Execute step) starts every kernel through `kernel`: no
network, `policy`'s list of folders covered, its own unprivileged uid (`accounts`) where the
grader is root, a memory cap (`watchdog`), time limits; afterwards `cleanup` and `processes`
remove what it left. See the README's threat model for what is and is not defended.
"""
