"""`pmkit grade`: real sandboxes on hostile submissions; each costs only its own row, originals untouched.

The big class (fixture ``hostile``) is graded once and shared: accidents (loops, memory bombs,
corrupt files) and every way a motivated learner tried to game grading, each asserting its own
row, every other row's score, the originals', decoys' and gradebook's checksums.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmkit.course import grade_box, grading, sandbox

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


def pmkit(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmkit", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=900, env={**os.environ, **(env or {})})


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


# ------------------------------------------------ what motivated learners try --

# Every one of these earned full marks, voided the run or hurt a classmate before the sandbox.
RUN_THE_MASTER = """\
import json, pathlib
try:
    master = json.loads(pathlib.Path({master!r}).read_text())
    for cell in master["cells"]:
        if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", []):
            exec("".join(cell["source"]), globals())
except OSError as exc:
    print("no master here:", exc)
"""
ASK_FOR_THE_ANSWERS = """\
import importlib
try:  # the answer keys themselves
    from pmkit.exercises.engine import Context
    keys = importlib.import_module("pmkit.exercises.welcome").EXERCISES
    for ex in keys:
        lesson.check(ex.name, ex.expected(Context("00_welcome", seed)))
except Exception as exc:
    print("no keys:", type(exc).__name__)
for name in ["average_order", "late_share", "promise_call"]:
    lesson.check(name, lesson.answer(name))
"""
PATCH_THE_CHECK = """\
import pmkit.exercises.engine as engine
engine.Lesson.check = lambda self, exercise, answer: engine.Feedback(self.name, exercise, "correct", "Yes.")
"""
FAKE_PROGRESS_AND_OUTPUT = """\
import json, os
from pmkit import paths
event = {{"time": "2026-01-01T00:00:00+00:00", "lesson": "00_welcome", "status": "correct"}}
for target in [paths.progress_file(), os.environ.get("PMKIT_PROGRESS"), {progress!r}]:
    try:
        with open(target, "a") as log:
            for name in ["average_order", "late_share", "promise_call"]:
                log.write(json.dumps({{**event, "exercise": name}}) + "\\n")
    except (OSError, TypeError):
        pass
for name in ["average_order", "late_share", "promise_call"]:
    print(f"✅ {{name}}: correct. Yes.")
"""
MALFORMED_RESULTS = """\
import os, pathlib
answers = pathlib.Path(os.environ["PMKIT_GRADING_ANSWERS"])
answers.write_text('{"statuses": "pwned"}\\n')
(answers.parent / "run.json").write_text('{"statuses": "pwned", "error": ["x"]}')
"""
FORGE_THROUGH_PROC_AND_KILL = """\
import json, os, signal
fake = json.dumps({"statuses": {n: "correct" for n in ["average_order", "late_share", "promise_call"]},
                   "error": "", "messages": {}}) + "\\n"
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        continue
    for fd in fds:
        try:
            handle = os.open(f"/proc/{pid}/fd/{fd}", os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK)
            os.write(handle, fake.encode())
            os.close(handle)
        except OSError:
            pass
os.kill(os.getppid(), signal.SIGKILL)
"""
REWRITE_CLASSMATES = """\
import os, pathlib
victims = [pathlib.Path(p) for p in {targets!r}]
# Only the sandbox's own folders and the test's: decoys live under the test's temp folder.
for top in ["/submission", "/grading", {subs!r}, {decoy!r}]:
    for folder, _, files in os.walk(top):
        victims += [pathlib.Path(folder, f) for f in files if f.endswith((".ipynb", ".csv"))]
for victim in victims:
    try:
        victim.write_text('{{"cells": [], "pwned": true}}')
    except OSError:
        pass
"""
EDIT_THE_ENGINE = """\
import pathlib
import pmkit
import pmkit.exercises.engine as engine
edited = []
package = pathlib.Path(pmkit.__file__).parent
for path in [pathlib.Path(engine.__file__), package / "exercises" / "welcome.py", package / "__init__.py"]:
    try:
        with open(path, "a") as source:
            source.write("\\nLesson._grade = lambda self, ex, answer: "
                         "Feedback(self.name, ex.name, 'correct', '')\\n")
        edited.append(path)
    except OSError:
        pass
print("edited", len(edited))
"""
DAEMON = """\
import os, subprocess, sys
code = '''
import os, sys, time
if os.fork():
    os._exit(0)
os.setsid()
time.sleep(6)
for target in sys.argv[2:]:
    try:
        with open(target, "w") as f:
            f.write("learner,score\\\\nmallory,3\\\\n")
    except OSError:
        pass
time.sleep(60)
'''
subprocess.Popen([sys.executable, "-c", code, {marker!r}, {gradebook!r}, {decoy!r}], start_new_session=True)
"""
MEMORY_ACROSS_CHILDREN = """\
import subprocess, sys, time
hold = "import time; block = b'x' * (700 * 2**20); time.sleep(120)"
children = [subprocess.Popen([sys.executable, "-c", hold]) for _ in range(3)]
time.sleep(60)
"""
DAEMON_MARKER = "pmkit-test-daemon-4f1c"


def _with_lesson_id(nb: dict, lesson_id: str, topic: str) -> dict:
    nb["metadata"]["pmkit"]["id"] = lesson_id
    for cell in nb["cells"]:
        cell["source"] = "".join(cell["source"]).replace('start("00_welcome"', f'start("{topic}"')
    return nb


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One `pmkit grade` run over a class with every kind of trouble, shared by the tests below."""
    base = tmp_path_factory.mktemp("grading")
    subs, decoy, out = base / "submissions", base / "decoy", base / "out" / "gradebook.csv"
    subs.mkdir()
    decoy.mkdir()
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
    # The attacks: each on an unsolved lesson, so any mark it earns is the attack's.
    unsolved = learner_notebook({})
    save(insert_after_setup(json.loads(json.dumps(unsolved)), RUN_THE_MASTER.format(master=str(SOLVED))),
         subs / "hal.ipynb")
    save(insert_after_setup(json.loads(json.dumps(unsolved)), ASK_FOR_THE_ANSWERS), subs / "ivan.ipynb")
    save(insert_after_setup(json.loads(json.dumps(unsolved)), PATCH_THE_CHECK), subs / "judy.ipynb")
    save(insert_after_setup(json.loads(json.dumps(unsolved)),
                            FAKE_PROGRESS_AND_OUTPUT.format(progress=str(decoy / "progress.jsonl"))),
         subs / "ken.ipynb")
    save(insert_after_setup(json.loads(json.dumps(unsolved)), MALFORMED_RESULTS), subs / "leo.ipynb")
    save(insert_after_setup(json.loads(json.dumps(unsolved)), FORGE_THROUGH_PROC_AND_KILL),
         subs / "mona.ipynb")
    decoy_notebook = decoy / "decoy.ipynb"
    decoy_notebook.write_bytes(SOLVED.read_bytes())
    save(insert_after_setup(json.loads(json.dumps(unsolved)), REWRITE_CLASSMATES.format(
        targets=[str(subs / "alice.ipynb"), str(decoy_notebook), str(out)], subs=str(subs),
        decoy=str(decoy))),
        subs / "nina.ipynb")
    save(insert_after_setup(json.loads(json.dumps(unsolved)), EDIT_THE_ENGINE), subs / "oscar.ipynb")
    save(insert_after_setup(json.loads(json.dumps(unsolved)), DAEMON.format(
        marker=DAEMON_MARKER, gradebook=str(out), decoy=str(decoy / "daemon.csv"))), subs / "pat.ipynb")
    save(insert_after_setup(learner_notebook(RIGHT), MEMORY_ACROSS_CHILDREN), subs / "quinn.ipynb")
    (subs / "rose.ipynb").symlink_to(decoy_notebook)
    (decoy / "sam").mkdir()
    (decoy / "sam" / "00_welcome.ipynb").write_bytes(SOLVED.read_bytes())
    (subs / "sam").symlink_to(decoy / "sam", target_is_directory=True)
    save(_with_lesson_id(json.loads(SOLVED.read_text(encoding="utf-8")), "05", "05_metrics_that_matter"),
         subs / "tara.ipynb")
    # The attacks below run only in sandboxes (grading refuses without one, and so does this test).
    if sandbox.available():
        pytest.skip(f"no sandbox on this machine: {sandbox.available()}")
    before, decoy_before = snapshot(subs), snapshot(decoy)
    engine_before = grading.package_digest()
    (base / "tmp").mkdir()
    started = time.perf_counter()
    result = pmkit("grade", str(subs), "--out", str(out), "--jobs", "2", "--lesson", "00",
                   "--timeout", str(CELL_TIMEOUT), "--memory", str(MEMORY_MB), cwd=base,
                   env={"TMPDIR": str(base / "tmp")})
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-3000:]
    gradebook_sha = sha256(out)
    with open(out, newline="", encoding="utf-8") as handle:
        rows = {row["learner"]: row for row in csv.DictReader(handle)}
    report = json.loads((base / "out" / "gradebook-integrity.json").read_text(encoding="utf-8"))
    return {"base": base, "subs": subs, "decoy": decoy, "out": out, "before": before,
            "decoy_before": decoy_before, "engine_before": engine_before, "result": result, "rows": rows,
            "report": report, "seconds": seconds, "feedback": base / "out" / "gradebook-feedback",
            "gradebook_sha": gradebook_sha}


LEARNERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "hal", "ivan", "judy", "ken", "leo",
            "mona", "nina", "oscar", "pat", "quinn", "rose", "sam", "tara"]
# What every row must score, whatever any other submission did.
SCORES = {"alice": 3, "bob": 2, "erin": 3, "grace": 2}


def assert_class_intact(hostile: dict) -> None:
    """Every row's score as its own work earns it; originals, decoys and the gradebook untouched."""
    rows = hostile["rows"]
    assert sorted(rows) == LEARNERS
    for learner, row in rows.items():
        assert int(row["score"]) == SCORES.get(learner, 0), (learner, row)
    assert snapshot(hostile["subs"]) == hostile["before"]
    assert snapshot(hostile["decoy"]) == hostile["decoy_before"]
    assert sha256(hostile["out"]) == hostile["gradebook_sha"]
    assert grading.package_digest() == hostile["engine_before"]


def test_every_submission_gets_exactly_one_row_with_every_exercise(hostile: dict) -> None:
    rows = hostile["rows"]
    assert sorted(rows) == LEARNERS
    for row in rows.values():
        assert row["lesson"] == "00_welcome"
        assert all(row[name] in {"correct", "incorrect", "not answered", "error", "not attempted"}
                   for name in EXERCISES)
        assert int(row["score"]) == sum(row[name] == "correct" for name in EXERCISES)
        assert row["out_of"] == "3"
    assert_class_intact(hostile)


def test_healthy_submissions_are_graded_by_the_lesson_checks(hostile: dict) -> None:
    rows = hostile["rows"]
    assert [rows["alice"][n] for n in EXERCISES] == ["correct"] * 3 and rows["alice"]["error"] == ""
    assert rows["alice"]["mode"] == "sandbox"
    # The master reads the hidden truth in its last cell: skipped, and said so, not an error.
    assert "skipped" in rows["alice"]["integrity"]
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


def test_memory_counts_every_process_of_a_submission(hostile: dict) -> None:
    # Three children of 700 MB each: none is over the limit alone, together they are.
    quinn = hostile["rows"]["quinn"]
    assert f"processes together used more than {MEMORY_MB} MB" in quinn["error"]
    assert quinn["score"] == "0"
    peak = next(r for r in hostile["report"]["rows"] if r["submission"] == "quinn.ipynb")["peak_memory_mb"]
    assert peak > MEMORY_MB


def test_a_notebook_deleting_files_only_deletes_its_copy(hostile: dict) -> None:
    erin = hostile["rows"]["erin"]
    assert erin["error"] == "" and erin["score"] == "3"
    assert snapshot(hostile["subs"]) == hostile["before"]


def test_corrupt_json_costs_its_row_without_a_kernel(hostile: dict) -> None:
    frank = hostile["rows"]["frank"]
    assert "not valid JSON" in frank["error"] and frank["mode"] == "not run"
    assert [frank[n] for n in EXERCISES] == ["not attempted"] * 3
    assert str(hostile["subs"]) not in frank["error"]


def test_a_deleted_exercise_cell_shows_as_not_attempted(hostile: dict) -> None:
    grace = hostile["rows"]["grace"]
    assert [grace[n] for n in EXERCISES] == ["correct", "correct", "not attempted"]
    assert grace["error"] == ""


def test_running_the_masters_code_finds_no_master(hostile: dict) -> None:
    hal = hostile["rows"]["hal"]
    assert [hal[n] for n in EXERCISES] == ["not answered"] * 3
    assert_class_intact(hostile)


def test_answer_keys_and_lesson_answer_are_unavailable(hostile: dict) -> None:
    ivan = hostile["rows"]["ivan"]
    assert [ivan[n] for n in EXERCISES] == ["not answered"] * 3
    assert "skipped" in ivan["integrity"]  # the lesson.answer cell raised and was skipped
    assert_class_intact(hostile)


def test_patching_lesson_check_records_nothing(hostile: dict) -> None:
    judy = hostile["rows"]["judy"]
    assert [judy[n] for n in EXERCISES] == ["not attempted"] * 3 and judy["error"] == ""
    assert_class_intact(hostile)


def test_progress_logs_and_printed_verdicts_are_ignored(hostile: dict) -> None:
    ken = hostile["rows"]["ken"]
    assert [ken[n] for n in EXERCISES] == ["not answered"] * 3
    assert not (hostile["decoy"] / "progress.jsonl").exists()
    assert_class_intact(hostile)


def test_a_malformed_fake_result_voids_only_its_own_row(hostile: dict) -> None:
    leo = hostile["rows"]["leo"]
    assert "answers file is damaged" in leo["error"]
    assert [leo[n] for n in EXERCISES] == ["not attempted"] * 3
    assert "Traceback" not in hostile["result"].stderr
    assert_class_intact(hostile)


def test_a_result_forged_through_proc_then_a_killed_worker_earns_nothing(hostile: dict) -> None:
    mona = hostile["rows"]["mona"]
    assert mona["score"] == "0" and mona["error"] != ""
    assert_class_intact(hostile)


def test_a_submission_cannot_rewrite_a_classmate_or_a_decoy(hostile: dict) -> None:
    nina = hostile["rows"]["nina"]
    assert nina["score"] == "0"
    assert hostile["rows"]["alice"]["score"] == "3"
    assert_class_intact(hostile)


def test_the_installed_pmkit_cannot_be_edited(hostile: dict) -> None:
    oscar = hostile["rows"]["oscar"]
    assert oscar["score"] == "0"
    digest = hostile["report"]["pmkit_sha256"]
    assert digest["before"] == digest["after"] == hostile["engine_before"]
    assert_class_intact(hostile)


def test_a_detached_daemon_dies_with_its_sandbox(hostile: dict) -> None:
    time.sleep(8)  # the daemon would have woken after 6 s and written the gradebook
    alive = [pid for pid in Path("/proc").glob("[0-9]*") if DAEMON_MARKER in _command(int(pid.name))]
    assert alive == []
    assert not (hostile["decoy"] / "daemon.csv").exists()
    assert hostile["rows"]["pat"]["score"] == "0"
    assert_class_intact(hostile)


def test_symbolic_links_are_refused_and_listed(hostile: dict) -> None:
    rose, sam = hostile["rows"]["rose"], hostile["rows"]["sam"]
    assert "refused: the notebook is a symbolic link" in rose["error"] and rose["mode"] == "not run"
    assert "refused: the learner folder is a symbolic link" in sam["error"]
    skipped = {entry["entry"]: entry["why"] for entry in hostile["report"]["skipped"]}
    assert "symbolic link" in skipped["rose.ipynb"] and "symbolic link" in skipped["sam"]
    assert "not a notebook" in skipped["README.txt"]
    assert_class_intact(hostile)


def test_a_notebook_of_another_lesson_is_flagged(hostile: dict) -> None:
    tara = hostile["rows"]["tara"]
    mismatch = "lesson mismatch: the notebook says 05_metrics_that_matter, graded as 00_welcome"
    assert mismatch in tara["integrity"]
    assert "checks are for 05_metrics_that_matter" in tara["integrity"]
    assert [tara[n] for n in EXERCISES] == ["not attempted"] * 3
    report = next(r for r in hostile["report"]["rows"] if r["submission"] == "tara.ipynb")
    assert report["claimed_lesson"] == "05_metrics_that_matter" and report["graded_as"] == "00_welcome"


def test_the_integrity_report_has_checksums_and_leaves_nothing_behind(hostile: dict) -> None:
    report = hostile["report"]
    assert report["mode"] == "sandbox" and "RLIMIT_NPROC" in report["memory"]
    assert report["class"]["count"] == len(LEARNERS) and report["shard"] == "1/1"
    for row in report["rows"]:
        path = hostile["subs"] / row["submission"]
        if not path.is_symlink():
            assert row["sha256_before"] == row["sha256_after"] == sha256(path)
    # Boxes, kernel sockets and run folders all lived in the grader's temp folder or the sandbox.
    assert list((hostile["base"] / "tmp").iterdir()) == []


def test_originals_are_byte_identical_afterwards(hostile: dict) -> None:
    assert_class_intact(hostile)


def test_feedback_page_per_learner_and_a_progress_bar(hostile: dict) -> None:
    pages = sorted(p.name for p in hostile["feedback"].glob("*.html"))
    assert pages == [f"{name}.html" for name in sorted(hostile["rows"])]
    bob = (hostile["feedback"] / "bob.html").read_text(encoding="utf-8")
    assert "incorrect" in bob and "A first hint" in bob and "<script" not in bob
    assert "median" in bob.lower() or "too low" in bob  # the grader's own verdict sentence
    stderr = hostile["result"].stderr
    assert f"{len(LEARNERS)}/{len(LEARNERS)}" in stderr and "grading" in stderr and "Traceback" not in stderr


def test_grading_again_backs_up_the_earlier_gradebook(hostile: dict, tmp_path: Path) -> None:
    out = tmp_path / "gradebook.csv"
    grading.write(grading.Gradebook((), {}), out)
    earlier = out.read_bytes()
    book = grading.Gradebook((grading.Graded("zoe", "00_welcome", "zoe.ipynb", {"late_share": "correct"}),),
                             {"00_welcome": ("late_share",)})
    notes = grading.write(book, out)
    assert len(notes) == 3 and all("backed up" in n for n in notes)
    backups = sorted(out.parent.glob("gradebook.backup-*.csv"))
    assert len(backups) == 1 and backups[0].read_bytes() == earlier
    assert len(list(out.parent.glob("gradebook-feedback.backup-*"))) == 1
    assert "zoe" in out.read_text(encoding="utf-8")
    assert not list(out.parent.glob(".gradebook-writing-*"))


# --------------------------------------------------- limits, one at a time --


def test_the_whole_notebook_limit_kills_the_kernel_and_what_it_started(tmp_path: Path) -> None:
    nb = json.loads(LESSON.read_text(encoding="utf-8"))
    nb["cells"] = [
        {"cell_type": "code", "id": "spawn", "metadata": {}, "execution_count": None, "outputs": [],
         "source": f"import subprocess\nchild = subprocess.Popen(['sleep', {SLEEPER!r}])"},
        {"cell_type": "code", "id": "slow", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "import time\nwhile True:\n    time.sleep(0.2)"},
    ]
    save(nb, tmp_path / "subs" / "henry.ipynb")
    started = time.perf_counter()
    result = pmkit("grade", "subs", "--out", "gradebook.csv", "--jobs", "1", "--timeout", "120",
                   "--total-timeout", "20", cwd=tmp_path)
    assert time.perf_counter() - started < 20 + grade_box.STARTUP_GRACE_SECONDS + 30
    assert result.returncode == 0, result.stderr[-2000:]
    with open(tmp_path / "gradebook.csv", newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert row["error"] == "stopped after 20 s (the time limit for a whole notebook)"
    assert [row[name] for name in EXERCISES] == ["not attempted"] * len(EXERCISES)
    assert _sleepers() == [], "a process started by the notebook outlived grading"


SLEEPER = "300.4711"  # an argument no other process on the machine has


def _sleepers() -> list[int]:
    return [int(p.name) for p in Path("/proc").glob("[0-9]*") if f"sleep {SLEEPER}" in _command(int(p.name))]


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
    assert list(frame.columns) == ["learner", "lesson", "score", "out_of", "00:late_share", "05:x", "error",
                                   "mode", "integrity", "submission"]
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


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["grade", "no-such-folder"], "submissions folder not found"),
        (["grade", "empty"], "no notebooks"),
        (["grade", "subs", "--out", "subs/gradebook.csv"], "outside the submissions folder"),
        (["grade", "subs", "--out", "afile.txt/gradebook.csv"], "is a file, not a folder"),
        (["grade", "subs", "--out", "afolder"], "should be a .csv file"),
        (["grade", "subs", "--out", "afolder.csv"], "is a folder"),
        (["grade", "subs", "--lesson", "99"], "--lesson should be a lesson number"),
        (["grade", "subs", "--shard", "3/2"], "--shard should be K/N"),
        (["grade", "merge"], "needs the shard gradebooks"),
        (["grade", "subs", "other"], "takes one submissions folder"),
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
    (tmp_path / "afile.txt").write_text("not a folder\n", encoding="utf-8")
    (tmp_path / "afolder.csv").mkdir()
    (tmp_path / "subs" / "nora.ipynb").write_bytes(LESSON.read_bytes())
    result = pmkit(*args, cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and phrase in lines[0] and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("gradebook*")) and not (tmp_path / "subs" / "gradebook.csv").exists()
    assert (tmp_path / "afile.txt").read_text(encoding="utf-8") == "not a folder\n"
    assert (tmp_path / "afolder.csv").is_dir() and not list((tmp_path / "afolder.csv").iterdir())


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


# ------------------------------------------------------------ modes, shards --


def test_grading_refuses_without_a_sandbox_unless_the_risk_is_accepted(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    save(learner_notebook({"late_share": RIGHT["late_share"]}), subs / "uma.ipynb")
    no_bwrap = {"PATH": str(Path(sys.executable).parent)}  # bubblewrap lives in /usr/bin
    refused = pmkit("grade", "subs", "--out", "gradebook.csv", cwd=tmp_path, env=no_bwrap)
    assert refused.returncode == 1 and not (tmp_path / "gradebook.csv").exists()
    (line,) = refused.stderr.strip().splitlines()
    assert "install bubblewrap" in line and grading.SANDBOX_FLAG in line
    accepted = pmkit("grade", "subs", "--out", "gradebook.csv", "--timeout", str(CELL_TIMEOUT),
                     grading.SANDBOX_FLAG, cwd=tmp_path, env=no_bwrap)
    assert accepted.returncode == 0, accepted.stderr[-2000:]
    assert "WITHOUT a sandbox" in accepted.stdout
    with open(tmp_path / "gradebook.csv", newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert row["mode"] == "unsandboxed" and row["late_share"] == "correct" and row["score"] == "1"
    report = json.loads((tmp_path / "gradebook-integrity.json").read_text(encoding="utf-8"))
    assert report["mode"] == "unsandboxed" and "no process-count limit" in report["memory"]


NOBODY = 65534
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all",
             "--bounding-set=-all"]
SYSTEM_PYTHON = Path("/usr/bin/python3")


@pytest.fixture(scope="module")
def shared_folder() -> Iterator[Path]:
    """A folder an unprivileged user can use (pytest's own temp folders are private to root)."""
    import shutil
    import tempfile

    if os.geteuid() != 0:
        pytest.skip("this run is not root: every grading test here already takes the user-namespace route")
    if shutil.which("setpriv") is None or shutil.which("bwrap") is None:
        pytest.skip("needs setpriv (util-linux) and bubblewrap to grade as an unprivileged user")
    folder = Path(tempfile.mkdtemp(prefix="pmkit-userns-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _grade_as_nobody(folder: Path, python: Path,
                     submissions: dict[str, dict]) -> tuple[subprocess.CompletedProcess, Path]:
    """Grade ``submissions`` in a class folder of their own as the unprivileged user."""
    work = folder / f"class-{len(list(folder.glob('class-*')))}"
    work.mkdir(mode=0o777)
    work.chmod(0o777)
    for name, nb in submissions.items():
        save(nb, work / "subs" / name).chmod(0o644)
    (work / "subs").chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PMKIT_REPO"}}
    env |= {"HOME": str(work), "PMKIT_PROGRESS": "off"}
    return subprocess.run([*AS_NOBODY, str(python), "-m", "pmkit", "grade", "subs", "--out", "gradebook.csv",
                           "--timeout", str(CELL_TIMEOUT)],
                          capture_output=True, text=True, cwd=work, env=env, timeout=900), work


def test_an_unprivileged_grader_sandboxes_in_a_user_namespace(shared_folder: Path) -> None:
    """The route most instructors take: not root, a wheel install, bubblewrap in a user namespace."""
    from tests.lite_env import course_uv

    if not SYSTEM_PYTHON.is_file() or subprocess.run(
            [str(SYSTEM_PYTHON), "-c", "import sys; sys.exit(sys.version_info < (3, 11))"]).returncode:
        pytest.skip("needs a system Python 3.11+ at /usr/bin/python3 for the unprivileged user's environment")
    uv = course_uv()  # the uv course.py installs with
    if uv is None:
        pytest.skip("needs uv to build the unprivileged user's environment quickly")
    # What an instructor without root has: an environment of their own, with the course installed
    # from its wheel (lessons and datasets inside the package), not from this checkout.
    venv = shared_folder / "venv"
    for command in ([uv, "venv", "-q", "--python", SYSTEM_PYTHON, venv],
                    [uv, "pip", "install", "-q", "--python", venv / "bin" / "python", f"{ROOT}[course]"]):
        done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-1500:]
    peek = "import os; print(open('/proc/1/cmdline').read(), os.getuid())"
    done, work = _grade_as_nobody(shared_folder, venv / "bin" / "python", {
        "uma.ipynb": learner_notebook(RIGHT),
        "vic.ipynb": insert_after_setup(learner_notebook({}), peek),
    })
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]
    located = subprocess.run([venv / "bin" / "python", "-c", "import pmkit.paths as p; print(p.repo_root())"],
                             capture_output=True, text=True, cwd=work,
                             env={k: v for k, v in os.environ.items() if k != "PMKIT_REPO"})
    assert located.stdout.strip() == "None"  # graded from the wheel's own lessons and datasets
    rows = {row["learner"]: row for row in read_csv(work / "gradebook.csv")}
    assert rows["uma"]["score"] == str(len(EXERCISES)) and rows["uma"]["error"] == ""
    assert rows["vic"]["score"] == "0"
    assert {row["mode"] for row in rows.values()} == {"sandbox"}
    assert (work / "gradebook.csv").stat().st_uid == NOBODY  # graded by that user, not by root
    report = json.loads((work / "gradebook-integrity.json").read_text(encoding="utf-8"))
    assert report["mode"] == "sandbox"


def test_an_unprivileged_grader_that_cannot_read_its_python_is_refused(shared_folder: Path) -> None:
    """A Python under another user's home cannot be mounted: grade says so before any work."""
    readable = subprocess.run([*AS_NOBODY, "bwrap", "--unshare-user", "--ro-bind", sys.base_prefix,
                               sys.base_prefix, "--ro-bind", "/usr", "/usr", "true"], capture_output=True)
    if readable.returncode == 0:
        pytest.skip(f"the unprivileged user can read {sys.base_prefix}, so nothing is refused here")
    done, work = _grade_as_nobody(shared_folder, Path(sys.executable), {"uma.ipynb": learner_notebook(RIGHT)})
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert "cannot mount the Python that grading runs" in line and grading.SANDBOX_FLAG in line
    assert not (work / "gradebook.csv").exists()


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _broken_class(folder: Path, names: list[str]) -> None:
    folder.mkdir()
    for name in names:
        (folder / f"{name}.ipynb").write_text('{"cells": [', encoding="utf-8")


def test_shards_cover_the_class_once_and_merge_checks_gaps_and_overlaps(tmp_path: Path) -> None:
    # Damaged notebooks never start a kernel: the slicing and merging are what is tested here.
    names = ["ana", "ben", "cai", "dee", "eli"]
    _broken_class(tmp_path / "subs", names)
    for k in (1, 2):
        done = pmkit("grade", "subs", "--lesson", "00", "--shard", f"{k}/2", "--out", f"shard-{k}.csv",
                     cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
    shards = [read_csv(tmp_path / f"shard-{k}.csv") for k in (1, 2)]
    assert [r["learner"] for r in shards[0]] == ["ana", "cai", "eli"]
    assert [r["learner"] for r in shards[1]] == ["ben", "dee"]
    merged = pmkit("grade", "merge", "shard-2.csv", "shard-1.csv", "--out", "all.csv", cwd=tmp_path)
    assert merged.returncode == 0, merged.stderr
    rows = read_csv(tmp_path / "all.csv")
    assert [r["learner"] for r in rows] == names
    assert json.loads((tmp_path / "all-integrity.json").read_text(encoding="utf-8"))["class"]["count"] == 5
    gap = pmkit("grade", "merge", "shard-1.csv", "--out", "gap.csv", cwd=tmp_path)
    assert gap.returncode == 1 and "shard(s) 2/2 missing" in gap.stderr
    twice = pmkit("grade", "merge", "shard-1.csv", "shard-1.csv", "--out", "twice.csv", cwd=tmp_path)
    assert twice.returncode == 1 and "given twice" in twice.stderr
    _broken_class(tmp_path / "other", ["zed"])
    assert pmkit("grade", "other", "--lesson", "00", "--shard", "2/2", "--out", "other.csv",
                 cwd=tmp_path).returncode == 0
    foreign = pmkit("grade", "merge", "shard-1.csv", "other.csv", "--out", "foreign.csv", cwd=tmp_path)
    assert foreign.returncode == 1 and "different classes" in foreign.stderr
    assert not any((tmp_path / f).exists() for f in ("gap.csv", "twice.csv", "foreign.csv"))


def test_a_changed_pmkit_install_aborts_without_a_gradebook(tmp_path: Path, monkeypatch) -> None:
    _broken_class(tmp_path / "subs", ["ana", "ben"])
    digests = iter(["before"] + ["changed"] * 10)
    monkeypatch.setattr(grading, "package_digest", lambda folder=None: next(digests))
    with pytest.raises(grading.IntegrityError, match="installed pmkit package changed while grading"):
        grading.grade(tmp_path / "subs", lesson="00", jobs=1)
    assert not list(tmp_path.glob("*.csv"))


def test_boxes_of_a_killed_grader_are_cleaned_and_a_live_ones_kept(tmp_path: Path) -> None:
    dead = tmp_path / f"{grade_box.PREFIX}{2**22 + 17}-x"  # above pid_max: no such process
    live = tmp_path / f"{grade_box.PREFIX}{os.getpid()}-y"
    for box in (dead, live):
        (box / "out").mkdir(parents=True)
    assert grade_box.clean_stale_boxes(tmp_path) == [dead.name]
    assert live.is_dir() and not dead.exists()


# -------------------------------------------------------------- the capture --


def test_answers_travel_as_plain_data_and_anything_else_is_refused() -> None:
    import numpy as np
    import pandas as pd

    from pmkit.customer import PRFAQ
    from pmkit.exercises import capture

    frame = pd.DataFrame({"feature": ["a", "b"], "share": [0.25, np.nan]}, index=[3, 4])
    back = capture.decode(json.loads(json.dumps(capture.encode(frame))))
    pd.testing.assert_frame_equal(back, frame)
    doc = PRFAQ("h", "c", "p", "b", "12.5% of reviews", "e", (("Ann", "yes"),), (("q", "a"),))
    assert capture.decode(json.loads(json.dumps(capture.encode(doc)))) == doc
    assert capture.decode(capture.encode([np.float64(0.5), {"k": (1, None)}, ..., float("inf")])) == \
        [0.5, {"k": (1, None)}, ..., float("inf")]
    for bad in (open, object(), np.zeros(capture.MAX_VALUES + 1), "x" * (capture.MAX_TEXT + 1), 2**70):
        with pytest.raises(capture.Unplain):
            capture.encode(bad)
    for forged in ({"$result": {"type": "pmkit.course.grading.Graded", "fields": {}}},
                   {"$result": {"type": "os.system", "fields": {}}}, {"statuses": "pwned"},
                   {"$frame": {"columns": [], "index": [1], "rows": []}}):
        with pytest.raises(capture.Unplain):
            capture.decode(forged)


def test_the_last_answer_counts_and_a_damaged_file_is_refused_whole() -> None:
    from pmkit.exercises import capture

    def line(exercise: str, answer: object, lesson: str = "00_welcome") -> bytes:
        entry = {"lesson": lesson, "exercise": exercise, "seed": 42, "answer": answer}
        return json.dumps(entry).encode() + b"\n"

    good = (line("late_share", 0.5) + line("late_share", 0.1176) + line("average_order", {"$bad": 1})
            + line("promise_call", "x", lesson="05_metrics_that_matter"))
    answers = capture.read_answers(good, "00_welcome")
    assert answers.values == {"late_share": 0.1176}
    assert "does not know" in answers.unreadable["average_order"]
    assert answers.lessons == {"00_welcome", "05_metrics_that_matter"}
    nan = line("late_share", 1).replace(b"1}", b"NaN}")
    huge = b" " * (capture.MAX_FILE_BYTES + 1)
    for damaged in (b'{"statuses": "pwned"}\n', good + b"not json\n", nan, huge):
        with pytest.raises(ValueError):
            capture.read_answers(damaged, "00_welcome")


def test_in_a_grading_kernel_check_records_and_keys_and_truth_refuse(tmp_path: Path, monkeypatch) -> None:
    from pmkit import datasets
    from pmkit.exercises import capture, start

    answers = tmp_path / "answers.jsonl"
    monkeypatch.setenv(capture.ENV, str(answers))
    lesson = start("00_welcome", seed=42)
    assert lesson.exercises == {}  # the answer keys are not even loaded
    feedback = lesson.check("late_share", 0.25)
    assert feedback.status == "not answered" and "recorded" in feedback.message
    assert lesson.check("average_order", open).message.startswith("Recorded as unreadable")
    with pytest.raises(capture.UnavailableWhileGrading, match=r"lesson\.answer is not available"):
        lesson.answer("late_share")
    hidden = datasets.truth("orders")  # taking it is fine; looking inside is not
    with pytest.raises(capture.UnavailableWhileGrading, match=r"datasets\.truth\('orders'\)"):
        hidden["late_rate"]
    with pytest.raises(capture.UnavailableWhileGrading):
        dict(hidden)
    assert str(datasets.truth("sessions")["redesign_date"]).startswith("2025-04-01")  # printed in lesson 05
    read = capture.read_answers(answers.read_bytes(), "00_welcome")
    assert read.values == {"late_share": 0.25} and "average_order" in read.unreadable


def test_every_lessons_master_earns_full_marks_in_the_sandbox(tmp_path: Path) -> None:
    # Every lesson's answers (numbers, lists, text, tables, a PR/FAQ) survive the trip out of the
    # sandbox as plain data, and the grader's verdicts match the lesson's own checks.
    subs = tmp_path / "subs"
    subs.mkdir()
    masters = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    for master in masters:
        (subs / f"master{master.name[:2]}.ipynb").write_bytes(master.read_bytes())
    result = pmkit("grade", "subs", "--out", "gradebook.csv", "--jobs", "2", "--timeout", "180", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = read_csv(tmp_path / "gradebook.csv")
    assert len(rows) == len(masters) >= 13
    for row in rows:
        assert row["error"] == "" and row["mode"] == "sandbox", row
        assert row["score"] == row["out_of"] != "0", row
        assert row["integrity"].startswith("cell(s)") and "skipped" in row["integrity"], row
