"""The ``pmkit`` command line.

Every failure is one clear line on stderr and a non-zero exit code; a
traceback means a bug in pmkit, never in what the user typed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pmkit import DISTRIBUTION

EXIT_ERROR = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A problem the user can fix; the message is printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + error
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


# ------------------------------------------------------------------ commands --


def cmd_build(args: argparse.Namespace) -> int:
    from pmkit.course import notebooks

    if args.check:
        problems = notebooks.out_of_sync()
        for problem in problems:
            print(problem)
        if problems:
            raise CliError(f"{len(problems)} lesson(s) out of sync with solutions/: run `pmkit build`")
        print("lessons/ is in sync with solutions/")
        return 0
    written = notebooks.build(args.lessons, run=not args.no_execute, jobs=args.jobs)
    print(f"built {len(written) // 2} lesson(s): " + ", ".join(p.stem for p in written[1::2]))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from pmkit.course import doctor

    findings = doctor.run()
    print(doctor.report(findings))
    return 0 if all(f.ok for f in findings) else EXIT_ERROR


def cmd_workspace(args: argparse.Namespace) -> int:
    from pmkit.course import workspace

    print(workspace.prepare().summary())
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    from pmkit import paths, progress
    from pmkit.course import workspace

    prepared = workspace.prepare()
    print(prepared.summary())
    jupyter = shutil.which("jupyter", path=os.path.dirname(sys.executable)) or shutil.which("jupyter")
    if jupyter is None:
        raise CliError(f"JupyterLab is not installed: pip install '{DISTRIBUTION}[lab]' "
                       "(or `python3 course.py start`)")
    lesson = prepared.workspace / f"{progress.report().next_lesson() or '00_welcome'}.ipynb"
    settings = lab_settings(prepared.workspace / ".lab-settings")
    command = lab_command(jupyter, paths.course_root(), lesson, [f"--LabApp.app_settings_dir={settings}",
                                                                 *args.lab_args],
                          as_root=hasattr(os, "geteuid") and os.geteuid() == 0)
    if "--allow-root" in command and "--allow-root" not in args.lab_args:
        print("Running as root (a container?): passing --allow-root to JupyterLab.")
    print(f"Opening {lesson.name} in JupyterLab:", " ".join(command[1:]))
    return subprocess.call(command, cwd=command_root(paths.course_root(), lesson))


# JupyterLab defaults for the course (the learner's own settings still win): widget state is
# saved with the notebook, so an explorer closed and reopened shows its last chart, not
# "Error displaying widget: model not found".
LAB_OVERRIDES = {"@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True}}


def lab_settings(folder: Path) -> Path:
    """Write the course's JupyterLab defaults (``overrides.json``) into ``folder`` and return it.

    >>> import json, tempfile
    >>> folder = lab_settings(Path(tempfile.mkdtemp()) / "settings")
    >>> json.loads((folder / "overrides.json").read_text())["@jupyter-widgets/jupyterlab-manager:plugin"]
    {'saveState': True}
    """
    import json

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=2) + "\n", encoding="utf-8")
    return folder


def command_root(course_root: Path, lesson: Path) -> Path:
    """The folder JupyterLab serves: the course root, or the lesson's folder if it lies elsewhere."""
    return course_root if lesson.is_relative_to(course_root) else lesson.parent


def lab_command(jupyter: str, course_root: Path, lesson: Path, lab_args: Sequence[str],
                as_root: bool = False) -> list[str]:
    """The ``jupyter lab`` command opening ``lesson``, with the learner's own options last.

    The lesson becomes JupyterLab's default URL rather than a file argument: the URL the
    server prints (and opens, unless ``--no-browser``) then shows the lesson, not the Launcher.

    >>> lab_command("jupyter", Path("/c"), Path("/c/workspace/00_welcome.ipynb"), ["--no-browser"])
    ['jupyter', 'lab', '--LabApp.default_url=/lab/tree/workspace/00_welcome.ipynb', '--no-browser']
    >>> lab_command("jupyter", Path("/c"), Path("/c/w/00_x.ipynb"), [], as_root=True)[-1]
    '--allow-root'
    """
    from urllib.parse import quote

    relative = lesson.relative_to(command_root(course_root, lesson)).as_posix()
    command = [jupyter, "lab", f"--LabApp.default_url=/lab/tree/{quote(relative)}", *lab_args]
    if as_root and "--allow-root" not in lab_args:
        command.append("--allow-root")  # JupyterLab refuses root without it; containers run as root
    return command


def cmd_reset(args: argparse.Namespace) -> int:
    from pmkit.course import workspace

    print(workspace.reset(args.lesson).summary())
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    from pmkit import progress

    print(progress.report())
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    from pmkit.course import datasets_command as commands

    return commands.main(args.rest)


def _delegate(module: str) -> Callable[[argparse.Namespace], int]:
    """A handler living in ``pmkit.course.<module>.command`` (loaded only when used)."""

    def handler(args: argparse.Namespace) -> int:
        import importlib

        return importlib.import_module(f"pmkit.course.{module}").command(args)

    return handler


# ------------------------------------------------------------------- parser --


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pmkit", description="The product-management course kit.")
    parser.add_argument("--version", action="version", version=f"pmkit {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, handler: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(handler=handler)
        return p

    p = add("build", cmd_build, "regenerate lessons/ from the masters in solutions/ and execute both")
    p.add_argument("lessons", nargs="*", help="lesson numbers or names (default: all)")
    p.add_argument("--no-execute", action="store_true", help="write sources only, no outputs")
    p.add_argument("--check", action="store_true", help="only report lessons out of sync (fast)")
    p.add_argument("--jobs", type=int, default=None, help="notebooks executed in parallel")

    add("doctor", cmd_doctor, "check Python, packages, kernel, folders and datasets; say what to fix")
    add("workspace", cmd_workspace, "copy new lessons into your workspace (never overwrites yours)")

    p = add("start", cmd_start, "prepare the workspace and open JupyterLab on your next lesson "
            "(any other option, e.g. --no-browser or --port=8899, goes to `jupyter lab`)")
    p.set_defaults(lab_args=[])

    p = add("reset", cmd_reset, "restore a pristine lesson in your workspace (backs yours up first)")
    p.add_argument("lesson", help="lesson number or name, e.g. 03")

    p = add("progress", cmd_progress, "your progress per lesson and the next thing to do")
    p = add(
        "check",
        _delegate("checking"),
        "re-run your workspace copy of a lesson in a fresh kernel and report each exercise",
    )
    p.add_argument("lesson", help="lesson number or name, e.g. 03")
    p.add_argument("--timeout", type=int, default=120, help="seconds allowed per cell")

    p = add("run", _delegate("runner"), "execute lessons headless with papermill; JUnit XML summary")
    p.add_argument("lessons", nargs="*", help="lesson numbers or names (default: all)")
    p.add_argument("--seed", type=int, default=None, help="data seed passed as a parameter")
    p.add_argument("--out", default="_run", help="folder for executed notebooks and junit.xml")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel")
    p.add_argument("--solutions", action="store_true", help="run the masters instead of the lessons")
    p.add_argument("--timeout", type=int, default=120, help="seconds allowed per cell")

    p = add(
        "workshop",
        _delegate("workshop"),
        "a ready-to-share folder per team, answer keys and a facilitator guide",
    )
    p.add_argument("--teams", type=int, required=True, help="number of teams")
    p.add_argument("--seed", type=int, default=1, help="base seed; team k gets its own seed from it")
    p.add_argument("--out", required=True, help="output folder (must not hold an earlier workshop)")
    p.add_argument("--lessons", nargs="*", default=[], help="lesson numbers (default: all)")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel")

    p = add("grade", _delegate("grading"), "grade submitted notebooks into a gradebook and HTML feedback")
    p.add_argument("submissions", help="folder of submitted notebooks (one per learner, or one folder each), "
                                       "or `merge` followed by shard gradebooks")
    p.add_argument("shards", nargs="*", help="with `merge`: the shard gradebooks (CSV) to combine")
    p.add_argument("--lesson", default=None, help="grade every notebook as this lesson (00 or 00_welcome)")
    p.add_argument("--shard", default=None, help="grade only shard K of N (K/N) of the class")
    p.add_argument("--no-sandbox-i-accept-the-risk", dest="no_sandbox", action="store_true",
                   help="grade without bubblewrap where no sandbox can start (see docs/grading.md)")
    p.add_argument("--out", default="gradebook.csv", help="gradebook CSV path")
    p.add_argument("--jobs", type=int, default=None, help="submissions graded in parallel")
    p.add_argument("--timeout", type=int, default=60, help="seconds allowed per cell")
    p.add_argument("--memory", type=int, default=2048,
                   help="memory limit per submission (all its processes), in MB")
    p.add_argument("--total-timeout", type=int, default=None,
                   help="seconds allowed per notebook (default: 10 x --timeout)")

    p = add("site", _delegate("site"), "a static HTML version of the course with an index")
    p.add_argument("--out", default="_site", help="output folder")
    p.add_argument("--solutions", action="store_true", help="publish the masters instead of the lessons")
    p.add_argument("--lite-url", default=None, help="where `pmkit lite` is published: adds a "
                   "'run this lesson in your browser' link to every page")

    p = add("lite", _delegate("lite"), "the course as a JupyterLite site: runs in the browser, no install")
    p.add_argument("--out", default="_lite", help="output folder")

    p = add("datasets", cmd_datasets, "generate or verify the course datasets (see `pmkit datasets --help`)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def _version() -> str:
    from pmkit import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    from pmkit.course._speedups import skip_iri_grammar

    skip_iri_grammar()
    parser = _parser()
    # `pmkit start` hands every option it does not know to `jupyter lab` (--no-browser,
    # --port=8899, ...); every other command refuses them.
    args, unknown = parser.parse_known_args(argv)
    if unknown and getattr(args, "command", None) == "start":
        args.lab_args = unknown[1:] if unknown[:1] == ["--"] else unknown
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("pmkit: interrupted", file=sys.stderr)
        return 130
    except (CliError, ValueError, TypeError, OSError) as exc:
        print(f"pmkit {args.command}: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, OSError) and exc.filename and str(exc.filename) not in text:
        text = f"{text}: {exc.filename}"
    return text


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
