"""Without libmpv: the real python-mpv fails to find the library; sadtui says how to fix it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SADTUI = Path(sys.executable).with_name("sadtui")
HINT = "libmpv is not installed: run `sudo apt-get install libmpv2`"


@pytest.fixture
def no_libmpv_env(tmp_path):
    """An environment in which ctypes cannot find libmpv (as on a machine without it)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import ctypes.util\n"
        "_real = ctypes.util.find_library\n"
        "ctypes.util.find_library = lambda name: None if 'mpv' in name else _real(name)\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = str(site) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_the_hook_really_hides_libmpv(no_libmpv_env):
    proc = subprocess.run([sys.executable, "-c", "import mpv"], env=no_libmpv_env,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0 and "Cannot find libmpv" in proc.stderr


def test_play_says_how_to_install_libmpv(no_libmpv_env, tmp_path):
    playlist = tmp_path / "p.toml"
    playlist.write_text('title = "p"\n[[songs]]\nrank = 1\ntitle = "A"\nurl = "http://127.0.0.1:9/a.wav"\n')
    proc = subprocess.run([str(SADTUI), "--playlist", str(playlist), "play", "1"], env=no_libmpv_env,
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"sadtui: {HINT}"


def test_doctor_reports_missing_libmpv(no_libmpv_env):
    proc = subprocess.run([str(SADTUI), "doctor", "--json"], env=no_libmpv_env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["ok"] is False
    failing = [c for c in report["checks"] if not c["ok"]]
    assert failing and any("libmpv2" in (c["hint"] or "") for c in failing)
    assert "Traceback" not in proc.stderr
