"""`pmkit grade`: real kernels on hostile submissions; each costs only its own row, originals untouched."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pmkit.course import grading

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "lessons" / "00_welcome.ipynb"
SOLVED = ROOT / "solutions" / "00_welcome.ipynb"
EXERCISES = ("average_order", "late_share", "promise_call")
RIGHT = {
    "average_order": 'average_order = orders["order_value"].mean()',
    "late_share": 'late_share = (orders["actual_days"] > orders["promised_days"]).mean()',
    "promise_call": 'promise_call = f"fix the promise: {late_share:.0%} of orders arrive late"',
}
# Small limits keep the suite quick; a legitimate lesson cell stays well inside them.
CELL_TIMEOUT = 40
MEMORY_MB = 1536


def pmkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmkit", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=900)


# ------------------------------------------------------------ submissions --


def learner_notebook(answers: dict[str, str]) -> dict:
    """The lesson as a learner hands it in: each given answer typed under its placeholder."""
    nb = json.loads(LESSON.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        for name, code in answers.items():
            if f'lesson.check("{name}"' in source:
                source = source.replace("# YOUR CODE HERE", code)
        cell["source"] = source
    return nb


def insert_after_setup(nb: dict, code: str) -> dict:
    """Add a code cell right after the one that starts the lesson's exercises."""
    index = next(i for i, c in enumerate(nb["cells"]) if "exercises.start(" in "".join(c["source"]))
    cell = {"cell_type": "code", "id": "learner-extra", "metadata": {}, "execution_count": None,
            "outputs": [], "source": code}
    nb["cells"].insert(index + 1, cell)
    return nb


def drop_exercise(nb: dict, name: str) -> dict:
    nb["cells"] = [c for c in nb["cells"] if f'lesson.check("{name}"' not in "".join(c["source"])]
    return nb


def save(nb: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


DELETER = """\
import os
for name in os.listdir("."):
    try:
        os.remove(name)
    except OSError:
        pass
try:
    os.remove("erin.ipynb")
except OSError:
    pass
print("cleaned up:", sorted(os.listdir(".")))
"""
# Stops at 16 GB of address space; lazily zeroed bytes, so even an unlimited kernel
# would not touch that much real memory on a shared machine.
MEMORY_BOMB = "hoard = []\nfor _ in range(64):\n    hoard.append(bytes(256 * 2**20))\n"


NO_RENDERING = """\
import os
import pmkit
from pmkit.display import new_axes
assert os.environ.get("PMKIT_FIGURES") == "off"
_chart = pmkit.show(new_axes(), alt="an empty chart", takeaway="nothing")
assert _chart.png == b"" and _chart.takeaway == "nothing"
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One `pmkit grade` run over a class with every kind of trouble, shared by the tests below."""
    base = tmp_path_factory.mktemp("grading")
    subs = base / "submissions"
    subs.mkdir()
    (subs / "alice.ipynb").write_bytes(SOLVED.read_bytes())
    # Bob's kernel also asserts that grading builds charts without rendering them.
    save(insert_after_setup(
        learner_notebook({**RIGHT, "average_order": 'average_order = orders["order_value"].median()'}),
        NO_RENDERING), subs / "bob.ipynb")
    save(insert_after_setup(learner_notebook(RIGHT), "while True:\n    pass\n"), subs / "carol.ipynb")
    save(insert_after_setup(learner_notebook(RIGHT), MEMORY_BOMB), subs / "dave.ipynb")
    save(insert_after_setup(learner_notebook(RIGHT), DELETER), subs / "erin.ipynb")
    (subs / "frank.ipynb").write_text('{"cells": [ this is not json', encoding="utf-8")
    save(drop_exercise(learner_notebook(RIGHT), "promise_call"), subs / "grace" / "00_welcome.ipynb")
    (subs / "README.txt").write_text("hand-ins for lesson 00\n", encoding="utf-8")
    before = snapshot(subs)
    started = time.perf_counter()
    result = pmkit("grade", str(subs), "--out", str(base / "out" / "gradebook.csv"), "--jobs", "2",
                   "--timeout", str(CELL_TIMEOUT), "--memory", str(MEMORY_MB), cwd=base)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-3000:]
    with open(base / "out" / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = {row["learner"]: row for row in csv.DictReader(handle)}
    return {"base": base, "subs": subs, "before": before, "result": result, "rows": rows,
            "seconds": seconds, "feedback": base / "out" / "gradebook-feedback"}


def test_every_submission_gets_exactly_one_row_with_every_exercise(hostile: dict) -> None:
    rows = hostile["rows"]
    assert sorted(rows) == ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]
    for row in rows.values():
        assert row["lesson"] == "00_welcome"
        assert all(row[name] in {"correct", "incorrect", "not answered", "error", "not attempted"}
                   for name in EXERCISES)
        assert int(row["score"]) == sum(row[name] == "correct" for name in EXERCISES)
        assert row["out_of"] == "3"


def test_healthy_submissions_are_graded_by_the_lesson_checks(hostile: dict) -> None:
    rows = hostile["rows"]
    assert [rows["alice"][n] for n in EXERCISES] == ["correct"] * 3 and rows["alice"]["error"] == ""
    assert [rows["bob"][n] for n in EXERCISES] == ["incorrect", "correct", "correct"]
    assert rows["bob"]["score"] == "2" and rows["bob"]["error"] == ""


def test_grading_kernels_build_charts_without_rendering_them(hostile: dict) -> None:
    # The assertion runs inside Bob's kernel (NO_RENDERING); a failure would be his row's error.
    assert hostile["rows"]["bob"]["error"] == ""
    assert hostile["rows"]["bob"]["score"] == "2"


def test_an_endless_cell_is_stopped_at_the_cell_timeout(hostile: dict) -> None:
    carol = hostile["rows"]["carol"]
    assert f"longer than {CELL_TIMEOUT} s" in carol["error"]
    assert [carol[n] for n in EXERCISES] == ["not attempted"] * 3


def test_a_memory_bomb_hits_the_memory_limit(hostile: dict) -> None:
    dave = hostile["rows"]["dave"]
    assert "MemoryError" in dave["error"] and f"{MEMORY_MB} MB" in dave["error"]
    assert dave["score"] == "0"


def test_a_notebook_deleting_files_only_deletes_its_copy(hostile: dict) -> None:
    erin = hostile["rows"]["erin"]
    assert erin["error"] == "" and erin["score"] == "3"
    assert snapshot(hostile["subs"]) == hostile["before"]


def test_corrupt_json_costs_its_row_without_a_kernel(hostile: dict) -> None:
    frank = hostile["rows"]["frank"]
    assert "not valid JSON" in frank["error"]
    assert [frank[n] for n in EXERCISES] == ["not attempted"] * 3
    assert str(hostile["subs"]) not in frank["error"]


def test_a_deleted_exercise_cell_shows_as_not_attempted(hostile: dict) -> None:
    grace = hostile["rows"]["grace"]
    assert [grace[n] for n in EXERCISES] == ["correct", "correct", "not attempted"]
    assert grace["error"] == ""


def test_originals_are_byte_identical_afterwards(hostile: dict) -> None:
    assert snapshot(hostile["subs"]) == hostile["before"]


def test_feedback_page_per_learner_and_a_progress_bar(hostile: dict) -> None:
    pages = sorted(p.name for p in hostile["feedback"].glob("*.html"))
    assert pages == [f"{name}.html" for name in sorted(hostile["rows"])]
    bob = (hostile["feedback"] / "bob.html").read_text(encoding="utf-8")
    assert "incorrect" in bob and "A first hint" in bob and "<script" not in bob
    assert hostile["result"].stderr.count("grading [") == 7
    assert "7/7" in hostile["result"].stderr and "Traceback" not in hostile["result"].stderr


def test_grading_again_backs_up_the_earlier_gradebook(hostile: dict, tmp_path: Path) -> None:
    out = hostile["base"] / "out" / "gradebook.csv"
    earlier = out.read_bytes()
    book = grading.Gradebook((grading.Graded("zoe", "00_welcome", "zoe.ipynb", {"late_share": "correct"}),),
                             {"00_welcome": ("late_share",)})
    notes = grading.write(book, out)
    assert len(notes) == 2 and all("backed up" in n for n in notes)
    backups = sorted(out.parent.glob("gradebook.backup-*.csv"))
    assert len(backups) == 1 and backups[0].read_bytes() == earlier
    assert len(list(out.parent.glob("gradebook-feedback.backup-*"))) == 1
    assert "zoe" in out.read_text(encoding="utf-8")


# --------------------------------------------------- limits, one at a time --


def test_the_whole_notebook_limit_kills_the_kernel_and_what_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    nb = json.loads(LESSON.read_text(encoding="utf-8"))
    nb["cells"] = [
        {"cell_type": "code", "id": "spawn", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "import pathlib, subprocess\nchild = subprocess.Popen(['sleep', '300'])\n"
                   f"pathlib.Path({str(pid_file)!r}).write_text(str(child.pid))"},
        {"cell_type": "code", "id": "slow", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "import time\nwhile True:\n    time.sleep(0.2)"},
    ]
    save(nb, tmp_path / "subs" / "henry.ipynb")
    started = time.perf_counter()
    result = pmkit("grade", "subs", "--out", "gradebook.csv", "--jobs", "1", "--timeout", "120",
                   "--total-timeout", "20", cwd=tmp_path)
    assert time.perf_counter() - started < 20 + grading.WORKER_GRACE_SECONDS
    assert result.returncode == 0, result.stderr[-2000:]
    with open(tmp_path / "gradebook.csv", newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert row["error"] == "stopped after 20 s (the time limit for a whole notebook)"
    assert [row[name] for name in EXERCISES] == ["not attempted"] * len(EXERCISES)
    child = int(pid_file.read_text())
    deadline = time.time() + 10
    while _alive(child) and time.time() < deadline:
        time.sleep(0.2)
    assert not _alive(child), "a process started by the notebook outlived grading"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_notebook_that_cannot_say_its_lesson_is_an_error_row(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    save(json.loads(LESSON.read_text(encoding="utf-8")), subs / "ivy.ipynb")
    metrics = json.loads((ROOT / "lessons" / "05_metrics_that_matter.ipynb").read_text(encoding="utf-8"))
    save(metrics, subs / "jack.ipynb")
    nameless = json.loads(LESSON.read_text(encoding="utf-8"))
    del nameless["metadata"]["pmkit"]
    save(nameless, subs / "kim.ipynb")
    found = {s.learner: s.lesson for s in grading.find_submissions(subs)}
    assert found == {"ivy": "00_welcome", "jack": "05_metrics_that_matter", "kim": ""}
    row = grading.grade_one(grading.find_submissions(subs)[2], ())
    assert row.learner == "kim" and "cannot tell which lesson" in row.error


def test_submissions_are_found_per_file_or_per_folder_and_checkpoints_skipped(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    nameless = json.loads(LESSON.read_text(encoding="utf-8"))
    del nameless["metadata"]["pmkit"]
    save(nameless, subs / "liam" / "00_welcome.ipynb")  # lesson from the file name
    save(nameless, subs / "mia.ipynb")  # lesson from the only lesson the class answers
    save(nameless, subs / "liam" / ".ipynb_checkpoints" / "00_welcome-checkpoint.ipynb")
    save(nameless, subs / ".hidden.ipynb")
    found = [(s.learner, s.lesson, s.path.name) for s in grading.find_submissions(subs)]
    assert found == [("liam", "00_welcome", "00_welcome.ipynb"), ("mia", "00_welcome", "mia.ipynb")]


def test_gradebook_columns_follow_each_lessons_exercises() -> None:
    rows = (grading.Graded("a", "00_welcome", "a.ipynb", {"late_share": "correct"}),
            grading.Graded("b", "05_metrics_that_matter", "b.ipynb", {"x": "incorrect"}))
    book = grading.Gradebook(rows, {"00_welcome": ("late_share",), "05_metrics_that_matter": ("x",)})
    frame = book.to_frame()
    assert list(frame.columns) == ["learner", "lesson", "score", "out_of", "00:late_share", "05:x", "error"]
    assert frame.loc[0, "00:late_share"] == "correct" and frame.loc[0, "05:x"] == ""
    assert frame["score"].tolist() == [1, 0]
    assert grading.lesson_exercises("00_welcome") == EXERCISES
    assert "Graded 2 submission(s)" in book.summary() and "50.0%" in book.summary()
    ax = book.plot()
    assert ax.get_xlabel() == "share of submissions correct" and "Hardest exercise: 05:x" in ax.get_title()


def test_learner_text_is_escaped_in_html_and_defused_in_the_csv(tmp_path: Path) -> None:
    nasty = "<script>alert(1)</script>"
    row = grading.Graded("=HYPERLINK(\"x\")", "00_welcome", "x.ipynb", {"late_share": "incorrect"},
                         {"late_share": nasty}, error=nasty)
    page = grading.feedback_html([row])
    assert "<script>" not in page and "&lt;script&gt;" in page
    grading.write(grading.Gradebook((row,), {"00_welcome": ("late_share",)}), tmp_path / "g.csv")
    with open(tmp_path / "g.csv", newline="", encoding="utf-8") as handle:
        (line,) = list(csv.DictReader(handle))
    assert line["learner"].startswith("'=")
    assert [p.name for p in (tmp_path / "g-feedback").iterdir()] == ["HYPERLINK_x.html"]


def test_check_messages_are_read_from_the_executed_notebook(tmp_path: Path) -> None:
    nb = {"cells": [{"cell_type": "code", "outputs": [{"output_type": "execute_result", "data": {
        "text/plain": ["❌ late_share: incorrect. That looks like a percentage;", " give a fraction."]}}]},
        {"cell_type": "code", "outputs": [{"output_type": "stream", "text": "✅ x: correct. Yes"}]}]}
    (tmp_path / "run.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert grading.check_messages(tmp_path / "run.ipynb") == {
        "late_share": "That looks like a percentage; give a fraction."}
    (tmp_path / "broken.ipynb").write_text("[1, 2", encoding="utf-8")
    assert grading.check_messages(tmp_path / "broken.ipynb") == {}


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["grade", "no-such-folder"], "submissions folder not found"),
        (["grade", "empty"], "no notebooks"),
        (["grade", "subs", "--out", "subs/gradebook.csv"], "outside the submissions folder"),
        (["grade", "subs", "--jobs", "0"], "jobs should be at least 1"),
        (["grade", "subs", "--memory", "10"], "memory should be at least 256"),
        (["grade", "subs", "--timeout", "0"], "timeout should be at least 1"),
        (["grade", "subs", "--timeout", "soon"], "invalid int"),
        (["grade", "subs", "--total-timeout", "0"], "total_timeout should be at least 1"),
    ],
)
def test_command_errors_are_one_line(tmp_path: Path, args: list[str], phrase: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "nora.ipynb").write_bytes(LESSON.read_bytes())
    result = pmkit(*args, cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and phrase in lines[0] and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("gradebook*")) and not (tmp_path / "subs" / "gradebook.csv").exists()


def test_validation_errors_name_the_argument(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="submissions should be a folder path"):
        grading.grade(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="total_timeout should be at least 1"):
        grading.grade(tmp_path, total_timeout=0)
    assert os.path.isdir(tmp_path)


def test_ctrl_c_stops_every_worker_and_kernel(tmp_path: Path) -> None:
    nb = json.loads(LESSON.read_text(encoding="utf-8"))
    nb["cells"] = [{"cell_type": "code", "id": "spin", "metadata": {}, "execution_count": None,
                    "outputs": [], "source": "while True:\n    pass"}]
    save(nb, tmp_path / "subs" / "olga.ipynb")
    process = subprocess.Popen([sys.executable, "-m", "pmkit", "grade", "subs", "--timeout", "300"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_ctrl_c_as_in_a_terminal)
    try:
        deadline = time.time() + 240
        kernels: list[int] = []
        while not kernels and time.time() < deadline:
            time.sleep(0.5)
            kernels = [pid for pid in grading.descendants(process.pid) if "ipykernel" in _command(pid)]
        assert kernels, "no kernel started within four minutes"
        process.send_signal(2)  # SIGINT, what Ctrl-C sends
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130 and stderr.strip().splitlines()[-1] == "pmkit: interrupted"
    time.sleep(1)
    assert not [pid for pid in kernels if _alive(pid)]
    assert not (tmp_path / "gradebook.csv").exists()


def _ctrl_c_as_in_a_terminal() -> None:
    # A suite started as a shell's background job (`cmd &`) ignores SIGINT, and children inherit
    # that: the grader would never see the Ctrl-C. A learner's terminal delivers it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_importing_grading_stays_light() -> None:
    # numpy too: every grading worker imports this module before its kernel starts.
    heavy = ("matplotlib", "scipy", "ipywidgets", "nbclient", "papermill", "pandas", "numpy")
    code = f"import sys, pmkit.course.grading; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
