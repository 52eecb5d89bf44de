"""The report opens in headless Chromium, with the matching code side by side."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile

import pytest
from PIL import Image

from autograder.similarity import cli
from similarity_variants import class_of_variants, make_course

W2 = "c1w2-mnist-callback"
CODE_BACKGROUND = (0xF6, 0xF8, 0xFA)  # the <pre> panels' colour in the report's CSS
CHROMIUM = shutil.which("chromium")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                "(apt-get install -y chromium)")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("course"), [W2])
    class_of_variants(root, W2)
    assert cli.main(["--course", str(root), "--assignment", W2]) == 0
    return root / "similarity" / W2 / "report.html"


def chromium(*args: str) -> str:
    """Run Chromium on a fresh profile; on a hang, end the process group it started, no other."""
    with tempfile.TemporaryDirectory() as profile:
        command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                   *args]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                   start_new_session=True)
        try:
            out, _ = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    assert process.returncode == 0, f"chromium exited with {process.returncode}"
    return out


def test_dom_has_the_notice_and_highlighted_pairs(report):
    dom = chromium("--dump-dom", report.as_uri())
    assert "This report is not evidence of copying by itself, and it does not change any grade." in dom
    assert dom.count('class="side-by-side"') >= 3 and dom.count("<mark>") >= 6
    assert "http://" not in dom and "https://" not in dom  # nothing to fetch


@pytest.mark.slow
def test_code_panels_render_side_by_side(report, tmp_path):
    shot = tmp_path / "report.png"
    chromium(f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri())
    image = Image.open(shot).convert("RGB")
    width, height = image.size
    pixels = image.load()
    # Some row crosses two code panels: one in the left half of the page and one in the right.
    rows = [y for y in range(0, height, 4)
            if any(pixels[x, y] == CODE_BACKGROUND for x in range(40, width // 2 - 20, 8))
            and any(pixels[x, y] == CODE_BACKGROUND for x in range(width // 2 + 20, width - 40, 8))]
    assert len(rows) > 50, "no two code panels side by side in the screenshot"
