"""The default playlist ships inside the wheel and is found from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_the_default_playlist(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True, capture_output=True, timeout=120,
    )
    (wheel,) = (tmp_path / "dist").glob("sadtui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "sadtui/data/saddest-anime-songs.toml" in names
    for tcss in (ROOT / "src" / "sadtui").rglob("*.tcss"):
        assert f"sadtui/{tcss.relative_to(ROOT / 'src' / 'sadtui').as_posix()}" in names

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=120,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import sadtui, sadtui.model.playlist as p; "
        "print(sadtui.__file__); print(p.default_playlist_path()); print(len(p.load_playlist().songs))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(target)}, check=True,
    ).stdout.splitlines()
    assert out[0].startswith(str(target))
    assert out[1].startswith(str(target))
    assert out[2] == "26"
