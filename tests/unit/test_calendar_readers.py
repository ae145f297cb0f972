"""Tests that need ical.js fail in CI when Node or ical.js is missing, instead of skipping silently."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = "from tests.calendar_readers import require_icaljs; require_icaljs()"


def run_without_node(**env):
    return subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/nonexistent", **env}, check=False)


def test_missing_node_fails_in_ci():
    result = run_without_node(CI="true")
    assert result.returncode != 0
    assert "Failed: ical.js is required in CI: node is not installed" in result.stderr


def test_missing_node_skips_elsewhere():
    result = run_without_node()
    assert result.returncode != 0
    assert "Skipped: ical.js unavailable: node is not installed" in result.stderr
