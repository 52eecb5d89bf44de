"""The grading pipeline: nbgrader's own, with this course's steps (`preprocessors`).

`jobs` grades one submission in a throw-away course (where learner code runs, sandboxed);
`recorder` is the single writer of the instructor's gradebook; `grade` (one notebook file),
`batch` (a class on Dask), `course_grading`, `release` and `demo` are the commands' work.
"""
