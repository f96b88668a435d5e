"""`python3 course.py start`, exactly as the README shows it, opens the learner's lesson in JupyterLab."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pmkit.course.cli import lab_command, main
from tests.browser_harness import free_port, wait_for_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import course  # noqa: E402  (course.py lives at the repository root)


def test_start_options_reach_jupyter_lab_after_the_lesson(tmp_path: Path) -> None:
    lesson = tmp_path / "workspace" / "06_cohorts_and_retention.ipynb"
    command = lab_command("jupyter", tmp_path, lesson, ["--no-browser", "--port", "8899"], as_root=True)
    opens = "--LabApp.default_url=/lab/tree/workspace/06_cohorts_and_retention.ipynb"
    assert command == ["jupyter", "lab", opens, "--no-browser", "--port", "8899", "--allow-root"]
    elsewhere = lab_command("jupyter", tmp_path / "course", lesson, [])
    assert elsewhere[2] == "--LabApp.default_url=/lab/tree/06_cohorts_and_retention.ipynb"


def test_other_commands_still_refuse_unknown_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["progress", "--no-browser"])
    assert stopped.value.code == 2
    assert "unrecognized arguments: --no-browser" in capsys.readouterr().err


def test_readme_start_command_serves_lesson_00(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 course.py start --no-browser" in readme
    python3 = shutil.which("python3")
    if python3 is None or shutil.which("jupyter", path=str(course.BIN)) is None:
        pytest.skip("no python3 on PATH or no JupyterLab in .venv: run `python3 course.py start` once")
    if not course.installed(course.EXTRAS["start"]):
        pytest.skip(".venv is not installed by course.py (this test would install it): "
                    "run `python3 course.py start` once")
    port, token = free_port(), secrets.token_hex(8)
    # The port and token go in through JupyterLab's environment variables, so the command
    # is exactly the README's; the home and Jupyter folders are private to the test.
    env = {**os.environ, "JUPYTER_PORT": str(port), "JUPYTER_TOKEN": token, "PMKIT_HOME": str(tmp_path),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-workspaces"), "PMKIT_PROGRESS": "off"}
    env.pop("PMKIT_WORKSPACE", None)
    log = tmp_path / "start.log"
    with log.open("w") as sink:
        server = subprocess.Popen([python3, "course.py", "start", "--no-browser"], cwd=ROOT, env=env,
                                  stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        landing = wait_for_server(server, f"http://127.0.0.1:{port}/?token={token}", log, seconds=120)
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # course.py, pmkit and jupyter lab alike
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    output = log.read_text()
    assert (tmp_path / "workspace" / "00_welcome.ipynb").is_file(), output
    assert landing.startswith("/lab/tree/workspace/00_welcome.ipynb"), landing
    # The URL the learner is told to open shows lesson 00, not the Launcher.
    assert re.search(rf"http://\S+:{port}/lab/tree/workspace/00_welcome\.ipynb\?token=", output), output
    if os.geteuid() == 0:
        assert "--allow-root" in output
