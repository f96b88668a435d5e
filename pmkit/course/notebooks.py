"""One source of truth for notebooks: masters in ``solutions/`` become lessons.

A master notebook carries the worked answers between nbgrader-style markers::

    answer = ...
    ### BEGIN SOLUTION
    answer = orders["value"].mean()
    ### END SOLUTION
    lesson.check("average_order", answer)

``make_lesson`` replaces each marked region with a stub (``# YOUR CODE HERE``
in code, an invitation to write in markdown), so the learner version still
runs top to bottom: the placeholder line above the region leaves the name
bound and the check reports "not answered yet".

``build`` validates every master first, then executes masters and lessons
with nbclient and writes them only when everything succeeded, so a broken
master never leaves half a course behind.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import json
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmkit import paths
from pmkit.syllabus import NotebookError, lesson_meta

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
CODE_STUB = "# YOUR CODE HERE"
MARKDOWN_STUB = "_Write your answer here._"
SOLUTION_ONLY_TAG = "solution-only"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
# Only what a reader or a tool needs; anything else in cell metadata is editor noise.
KEPT_CELL_METADATA = ("tags", "jupyter", "pmkit")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# What every headless kernel gets: repeatable hashing (set order in outputs), no progress
# written to a learner's log, no live widgets (see pmkit.widgets.live_widgets_enabled).
KERNEL_ENV = {"PYTHONHASHSEED": "0", "PMKIT_PROGRESS": "off", "PMKIT_WIDGETS": "off"}


def read(path: Path) -> Any:
    """Read a notebook, turning JSON and schema problems into one clear error."""
    import nbformat

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise NotebookError(path, f"cannot read the file ({exc.strerror})") from None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(path, f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several unrelated types
        raise NotebookError(path, f"not a valid notebook ({_first_line(exc)})") from None
    return nb


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def solution_regions(source: str) -> list[tuple[int, int]]:
    """Line index pairs (begin, end) of every marked region, markers included."""
    regions, start = [], None
    for number, line in enumerate(source.splitlines()):
        stripped = line.strip()
        if stripped == BEGIN:
            if start is not None:
                raise ValueError(f"line {number + 1}: BEGIN SOLUTION inside another region")
            start = number
        elif stripped == END:
            if start is None:
                raise ValueError(f"line {number + 1}: END SOLUTION without a BEGIN")
            regions.append((start, number))
            start = None
        elif BEGIN in line or END in line:
            raise ValueError(f"line {number + 1}: a solution marker must stand on a line alone")
    if start is not None:
        raise ValueError(f"line {start + 1}: BEGIN SOLUTION is never closed")
    return regions


def strip_solutions(source: str, cell_type: str) -> str:
    """The learner's version of one cell's source."""
    lines = source.splitlines()
    out: list[str] = []
    cursor = 0
    for begin, end in solution_regions(source):
        out.extend(lines[cursor:begin])
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        out.append(indent + (CODE_STUB if cell_type == "code" else MARKDOWN_STUB))
        cursor = end + 1
    out.extend(lines[cursor:])
    return "\n".join(out)


def solution_lines(source: str) -> list[str]:
    """The non-blank lines inside marked regions (what must never reach a learner)."""
    lines = source.splitlines()
    found = []
    for begin, end in solution_regions(source):
        found.extend(line.strip() for line in lines[begin + 1 : end] if line.strip())
    return found


def _check_python(source: str) -> None:
    # IPython magics and shell escapes are not Python; blank them out first.
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    ast.parse(code)


def normalise(nb: Any) -> Any:
    """Fix the notebook-level and cell-level metadata every course notebook shares."""
    nb.nbformat, nb.nbformat_minor = 4, 5
    keep = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    if "pmkit" in nb.metadata:
        keep["pmkit"] = nb.metadata["pmkit"]
    nb.metadata = type(nb.metadata)(keep)
    for index, cell in enumerate(nb.cells):
        cell.metadata = type(cell.metadata)(
            {k: cell.metadata[k] for k in KEPT_CELL_METADATA if k in cell.metadata}
        )
        cell.setdefault("id", f"cell-{index}")
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                data = output.get("data")
                if data and WIDGET_VIEW in data:
                    # A live widget's model id is random and its state is not saved,
                    # so the view is dead weight in a file; the static fallback stays.
                    del data[WIDGET_VIEW]
                output.get("metadata", {}).pop(WIDGET_VIEW, None)
        elif "outputs" in cell or "execution_count" in cell:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    return nb


def make_lesson(master: Any, path: Path | str = "<master>") -> Any:
    """The learner version of a master notebook (sources only, outputs cleared)."""
    lesson_meta(master, path)
    lesson = copy.deepcopy(master)
    ids: set[str] = set()
    cells = []
    for index, cell in enumerate(lesson.cells):
        if cell.get("id") in ids:
            raise NotebookError(path, f"duplicate cell id {cell.get('id')!r}", index)
        ids.add(cell.get("id"))
        if SOLUTION_ONLY_TAG in cell.metadata.get("tags", []):
            continue
        try:
            cell.source = strip_solutions(cell.source, cell.cell_type)
            if cell.cell_type == "code":
                _check_python(cell.source)
        except SyntaxError as exc:
            raise NotebookError(
                path, f"learner version is not valid Python ({exc.msg}, line {exc.lineno})", index
            ) from None
        except ValueError as exc:
            raise NotebookError(path, str(exc), index) from None
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    lesson.cells = cells
    return normalise(lesson)


def source_signature(nb: Any) -> list[tuple[str, str, str]]:
    """What must agree between a lesson and its master's learner version."""
    return [(c.cell_type, c.get("id", ""), c.source) for c in nb.cells]


def masters(names: Sequence[str] = ()) -> list[Path]:
    """Master notebooks, optionally filtered by number (``03``) or stem."""
    found = sorted(paths.solutions_dir().glob("[0-9][0-9]_*.ipynb"))
    return select(found, names)


def select(found: list[Path], names: Sequence[str]) -> list[Path]:
    """Keep the notebooks named by number (``3``, ``03``) or stem; error on unknown names."""
    if not names:
        return found
    chosen = []
    for name in names:
        key = str(name).removesuffix(".ipynb")
        hits = [p for p in found if p.stem == key or p.stem.split("_", 1)[0] == key.zfill(2)]
        if not hits:
            known = ", ".join(p.stem for p in found) or "none"
            raise NotebookError(name, f"no such lesson; known lessons: {known}")
        chosen.extend(h for h in hits if h not in chosen)
    return chosen


@contextlib.contextmanager
def kernel_environment(extra: dict[str, str] | None = None) -> Iterator[None]:
    """Set the environment kernels inherit, and restore it afterwards."""
    wanted = {**KERNEL_ENV, **(extra or {})}
    saved = {key: os.environ.get(key) for key in [*wanted, "MPLBACKEND"]}
    os.environ.update(wanted)
    # A non-inline backend would drop figures from the outputs.
    os.environ.pop("MPLBACKEND", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(nb: Any, cwd: Path, path: Path | str, timeout: int = 120) -> Any:
    """Run every cell in a fresh ``python3`` kernel; raise NotebookError on a failing cell."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    from pmkit.course._kernels import AsyncPrivateKernelManager

    client = NotebookClient(
        nb,
        kernel_name="python3",
        kernel_manager_class=AsyncPrivateKernelManager,
        # One print can reach us as one stream message or as two, depending on when the kernel
        # flushes; merged, a rebuild writes the same bytes either way.
        coalesce_streams=True,
        timeout=timeout,
        record_timing=False,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(cwd)}},
    )
    with kernel_environment():
        try:
            client.execute()
        except (CellExecutionError, CellTimeoutError) as exc:
            index = _failing_cell(nb)
            raise NotebookError(path, _first_line(exc), index) from None
    return normalise(nb)


def _failing_cell(nb: Any) -> int | None:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "raises-exception" in cell.metadata.get("tags", []):
            continue
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return index
    return None


def dumps(nb: Any) -> str:
    """The canonical text of a notebook (sorted keys, trailing newline)."""
    import nbformat

    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def write_text(path: Path, text: str) -> bool:
    """Write atomically, and only when the content changed; True if written."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # a reader never sees half a notebook
    return True


def write(nb: Any, path: Path) -> bool:
    """Write a notebook atomically in canonical form."""
    return write_text(path, dumps(nb))


@dataclass(frozen=True)
class BuildResult:
    master: Path
    lesson: Path
    master_text: str
    lesson_text: str


def _build_one(master_path: str, lesson_path: str, run: bool) -> BuildResult:
    master = read(Path(master_path))
    lesson = make_lesson(master, master_path)
    master = normalise(master)
    if run:
        master = execute(master, Path(master_path).parent, master_path)
        lesson = execute(lesson, Path(lesson_path).parent, lesson_path)
    return BuildResult(Path(master_path), Path(lesson_path), dumps(master), dumps(lesson))


def build(names: Sequence[str] = (), run: bool = True, jobs: int | None = None) -> list[Path]:
    """Regenerate lessons from masters; execute both; write only if all succeed."""
    chosen = masters(names)
    if not chosen:
        raise NotebookError(paths.solutions_dir(), "no master notebooks (NN_topic.ipynb) found")
    out_dir = paths.lessons_dir()
    out_dir.mkdir(exist_ok=True)
    # Validate every master before spending time on kernels.
    for master_path in chosen:
        make_lesson(read(master_path), master_path)
    args = [(str(m), str(out_dir / m.name), run) for m in chosen]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(args)))
    if workers == 1 or not run:
        results = [_build_one(*a) for a in args]
    else:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_build_one, *zip(*args, strict=True)))
    written = []
    for result in results:
        for target, text in ((result.master, result.master_text), (result.lesson, result.lesson_text)):
            write_text(target, text)
            written.append(target)
    return written


def out_of_sync() -> list[str]:
    """Problems between masters and committed lessons (fast: sources only, no kernels)."""
    problems = []
    master_paths = masters()
    lesson_paths = sorted(paths.lessons_dir().glob("*.ipynb"))
    expected = {m.name for m in master_paths}
    for extra in lesson_paths:
        if extra.name not in expected:
            problems.append(f"lessons/{extra.name} has no master in solutions/")
    for master_path in master_paths:
        lesson_path = paths.lessons_dir() / master_path.name
        if not lesson_path.exists():
            problems.append(f"lessons/{master_path.name} is missing: run `pmkit build`")
            continue
        want = make_lesson(read(master_path), master_path)
        have = read(lesson_path)
        if source_signature(want) != source_signature(have):
            problems.append(f"lessons/{master_path.name} differs from its master: run `pmkit build`")
        elif want.metadata != have.metadata:
            problems.append(f"lessons/{master_path.name} metadata differs from its master")
    return problems
