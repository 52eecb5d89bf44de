"""`python -m autograder.platforms gradescope|prairielearn|coursera` (= `autograder platform ...`)."""
import sys

from autograder.platforms.cli import main

sys.exit(main())
