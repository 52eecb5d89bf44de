"""`from autograder.hints import hint`, as the notebooks write it: the code is autograder.kernel.hints."""
from autograder.kernel.hints import hint

__all__ = ["hint"]
