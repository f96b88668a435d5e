"""``pmkit doctor``: is this machine ready for the course, and if not, what to do.

Every fix names a command the reader can run where they are: ``python3 course.py start`` in
a clone of the course (it sets up ``.venv/``), ``pip install 'basketly-pmkit[lab]'`` for
somebody who installed the wheel and has no ``course.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pmkit import DISTRIBUTION, paths


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    fix: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"[{mark}] {self.what}" + ("" if self.ok else f"\n       fix: {self.fix}")


def _in_a_clone() -> bool:
    """True when pmkit runs from a clone of the course, where ``course.py`` sets things up."""
    repo = paths.repo_root()
    return repo is not None and (repo / "course.py").is_file()


def install_command(extra: str = "lab") -> str:
    """What to run to install the course's packages: ``course.py`` in a clone, pip elsewhere.

    >>> install_command()  # in the course's clone
    'python3 course.py start'
    """
    if _in_a_clone():
        return "python3 course.py start"
    return f"{Path(sys.executable).name} -m pip install '{DISTRIBUTION}[{extra}]'"


def open_command() -> str:
    """What opens the course once everything is installed."""
    return "python3 course.py start" if _in_a_clone() else "pmkit start"


def _python() -> list[Finding]:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 11)
    return [
        Finding(
            ok,
            f"Python {version} at {sys.executable}",
            f"install Python 3.11 or newer, then run `{install_command()}` again",
        )
    ]


def _requirements() -> list[str]:
    try:
        required = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return []
    return [r for r in required if "extra ==" not in r]


def _packages() -> list[Finding]:
    from packaging.requirements import Requirement

    findings = []
    for text in _requirements():
        req = Requirement(text)
        try:
            have = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            findings.append(
                Finding(
                    False,
                    f"{req.name} is not installed",
                    install_command(),
                )
            )
            continue
        ok = req.specifier.contains(have, prereleases=True)
        findings.append(
            Finding(
                ok, f"{req.name} {have} (needs {req.specifier or 'any'})", f"pip install --upgrade '{req}'"
            )
        )
    if not findings:
        findings.append(
            Finding(
                False,
                f"pmkit itself is not installed as a package ({DISTRIBUTION})",
                install_command(),
            )
        )
    return findings


def _kernel() -> list[Finding]:
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return [Finding(False, "jupyter_client is missing (no Jupyter kernel can start)", install_command())]
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return [
            Finding(
                False,
                "no 'python3' Jupyter kernel",
                f"{sys.executable} -m ipykernel install --user --name python3",
            )
        ]
    argv0 = spec.argv[0] if spec.argv else "?"
    return [Finding(True, f"kernel 'python3' runs {argv0}")]


def _writable(folder: Path, what: str) -> Finding:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return Finding(
            False,
            f"{what} {folder} is not writable ({exc.strerror})",
            f"set PMKIT_WORKSPACE to a folder you own, or fix the permissions of {folder}",
        )
    return Finding(True, f"{what} {folder} is writable")


def _folders() -> list[Finding]:
    findings = [_writable(paths.workspace_dir(), "workspace")]
    progress = paths.progress_file()
    if progress is not None:
        findings.append(_writable(progress.parent, "progress log folder"))
    return findings


def _datasets() -> list[Finding]:
    try:
        from pmkit import datasets

        problems = datasets.verify()
    except Exception as exc:
        return [
            Finding(
                False,
                f"datasets could not be checked ({exc})",
                f"`pmkit datasets generate`, or reinstall: {install_command()}",
            )
        ]
    if problems:
        return [
            Finding(False, p, "pmkit datasets generate  (restores the committed files)") for p in problems
        ]
    return [Finding(True, f"datasets in {paths.datasets_dir()} match their manifest")]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def foreign_owners() -> list[str]:
    """Installed distributions other than the course's that provide the ``pmkit`` package
    or the ``pmkit`` command.

    ``pmkit`` on the package index is an unrelated project whose wheel also holds a
    top-level ``pmkit/`` package and a ``pmkit`` script. pip does not stop two distributions
    from writing the same files, so installing both leaves whichever came last in charge of
    ``pmkit/__init__.py`` and of the command, and uninstalling either deletes files the other
    needs. The installed metadata (each wheel's RECORD and entry points) says who claims what.
    """
    owners = set(metadata.packages_distributions().get("pmkit", []))
    owners |= {entry.dist.name for entry in metadata.entry_points(group="console_scripts", name="pmkit")
               if entry.dist is not None}
    return sorted(name for name in owners if _canonical(name) != DISTRIBUTION)


def _uninstall_fix(name: str) -> str:
    pip = f"{Path(sys.executable).name} -m pip"
    if _in_a_clone():  # the course's files live in the clone, not in site-packages
        return f"{pip} uninstall {name} (keep {name} in a virtual environment of its own)"
    # Uninstalling the other project deletes the files both wrote, pmkit/__init__.py among them.
    return (f"{pip} uninstall {name}, then {pip} install --force-reinstall --no-deps {DISTRIBUTION} "
            f"(keep {name} in a virtual environment of its own)")


def _command_on_path() -> Path | None:
    folder = os.path.dirname(sys.executable)
    found = shutil.which("pmkit", path=folder) or shutil.which("pmkit")
    return Path(found) if found else None


def _ownership() -> list[Finding]:
    findings = []
    for name in foreign_owners():
        version = metadata.version(name)
        findings.append(Finding(
            False,
            f"another project, {name} {version}, is installed here and also provides the "
            f"`pmkit` package or command (it is not this course)",
            _uninstall_fix(name),
        ))
    script = _command_on_path()
    # A console script names the function it runs; ours is pmkit.course.cli:main.
    if script is not None and script.is_file() and script.stat().st_size < 100_000:
        text = script.read_text(errors="replace")
        if "import" in text and "pmkit.course.cli" not in text:
            findings.append(Finding(
                False,
                f"the `pmkit` command at {script} is not the course's",
                f"run `{Path(sys.executable).name} -m pmkit` instead, or reinstall: {install_command()}",
            ))
    if not findings:
        findings.append(Finding(True, f"the `pmkit` package and command come from {DISTRIBUTION} only"))
    return findings


CHECKS: tuple[Callable[[], list[Finding]], ...] = (
    _python, _packages, _ownership, _kernel, _folders, _datasets,
)


def run() -> list[Finding]:
    """Every check's findings, in order."""
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            findings.extend(check())
        except Exception as exc:  # a doctor that crashes is no help
            findings.append(
                Finding(
                    False,
                    f"{check.__name__.strip('_')} check failed: {exc}",
                    "report this to the course authors",
                )
            )
    return findings


def report(findings: list[Finding]) -> str:
    bad = [f for f in findings if not f.ok]
    lines = [f.line() for f in findings]
    lines.append("")
    lines.append(
        f"All good: `{open_command()}` opens the course."
        if not bad
        else f"{len(bad)} problem(s) to fix; see the 'fix:' lines above."
    )
    if os.environ.get("CONDA_PREFIX"):
        lines.append(f"(conda environment: {os.environ['CONDA_PREFIX']})")
    return "\n".join(lines)
