"""`python -m autograder.similarity`: the `autograder similarity` command on its own."""
import sys

from autograder.similarity.cli import main

sys.exit(main())
