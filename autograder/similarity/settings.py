"""The measured numbers behind the report, in one place.

Measured on the hand-written learner code in tests/similarity/files: 7 independent solutions
and 7 near-copies of week 2, 6 and 5 of week 3 (near-copies renamed, reordered, re-commented,
reformatted, with lines added). "Honest" is the highest score between two independent
solutions, "copy" the lowest between a near-copy and its original.
"""

# Shortest match that counts, in normalised characters (copydetect's noise threshold k).
# Week 2 honest/copy: k=10 0.69/0.84, k=12 0.65/0.84, k=15 0.65/0.73, k=25 (copydetect's
# default) 0.51/0.52. Past 12, swapping two short lines breaks every k-gram across them.
NOISE = 12

# A cell counts only with at least this much code of the learner's own, in normalised
# characters (about three short statements): quiz answers like `q1_answer = "C"` are 5, and
# everybody's would match.
MIN_OWN = 24

# With NOISE and MIN_OWN as above: honest at most 0.65 (two lecture-style week-2 solutions),
# copies at least 0.84 (week 3: 0.45 and 0.85). The default sits between them.
DEFAULT_THRESHOLD = 0.75
