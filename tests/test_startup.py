"""The grader's command lines skip jsonschema's slow optional import; notebooks still validate."""
import subprocess
import sys

PROBE = """
import sys
import autograder.cli
import nbformat
nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))
print(sys.modules["rfc3987_syntax"] is None)
"""


def test_the_command_line_does_not_load_rfc3987_syntax():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
