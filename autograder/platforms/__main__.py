"""`python -m autograder.platforms gradescope|prairielearn|coursera` (= `autograder platform ...`)."""
import sys

from autograder import startup  # noqa: F401  (first: before anything imports nbformat)
from autograder.platforms.cli import main

sys.exit(main())
