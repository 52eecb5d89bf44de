"""Class-wide similarity report: which learners' graded cells share code (issue #14).

It informs the instructor and never changes a grade. Only the code learners wrote in the
graded solution cells is compared, with the starter's lines removed, after copydetect's
normalisation (identifiers, strings, comments and layout do not count). Optionally also
against a folder of known published solutions.

    autograder similarity --assignment c1w2-mnist-callback [--reference DIR]
    python -m autograder.similarity ...
"""
