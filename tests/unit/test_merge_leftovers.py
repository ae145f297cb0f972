"""No merge left its conflict markers behind: in a template they are shown to visitors as text, and a
page test finds nothing wrong when both versions hold the words it looks for."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^(<{7} |={7}$|>{7} )", re.MULTILINE)
CHECKED = ("mobilizon_lite/**/*.py", "mobilizon_lite/templates/**/*.html", "mobilizon_lite/templates/**/*.txt",
           "mobilizon_lite/static/*.css", "tests/**/*.py", "bench/*.py", "README.md", "setup.cfg", "run.py")


def test_no_file_holds_conflict_markers():
    found = [f"{path.relative_to(ROOT)}:{text[:match.start()].count(chr(10)) + 1}"
             for pattern in CHECKED for path in ROOT.glob(pattern)
             for text in [path.read_text(encoding="utf-8")] for match in MARKER.finditer(text)]
    assert not found
