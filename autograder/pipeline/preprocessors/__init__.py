"""The steps this course adds to nbgrader's pipelines, one per module, as nbgrader's own
preprocessors are (configured in nbgrader_config.py). Sanitizing: RepairGraderMetadata.
Autograding: ClearArtifacts, then autograder.sandbox.execute.GuardedExecute in Execute's place,
WarningsDoNotFail, RunHiddenChecks, LimitOutputSize; ReplayExecution stands in for execution
when a worker's results are recorded."""
