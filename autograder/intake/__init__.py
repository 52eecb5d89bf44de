"""What learners hand in, checked before any of it runs: a readable notebook (`notebook`), and
archives that are safe to unpack for `nbgrader zip_collect` (`zip_collect`)."""
