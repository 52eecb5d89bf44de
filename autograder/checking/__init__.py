"""Running the hidden checks: the pytest plugin that hands them the learner's objects, the runner
(one pytest session for all of a notebook's checks), and the entry point of the fresh process
that runs them on a grading kernel's records, outside the learner's reach."""
