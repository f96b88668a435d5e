"""``pmkit doctor``: is this machine ready for the course, and if not, what to do."""

from __future__ import annotations

import os
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


def _python() -> list[Finding]:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 11)
    return [
        Finding(
            ok,
            f"Python {version} at {sys.executable}",
            "install Python 3.11 or newer, then run `python3 course.py start` again",
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
                    f"pip install '{req}' (or `python3 course.py start`)",
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
                False, "pmkit itself is not installed as a package", "pip install -e . from the course folder"
            )
        )
    return findings


def _kernel() -> list[Finding]:
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return [Finding(False, "jupyter_client is missing", "pip install ipykernel")]
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
                "reinstall pmkit or run `pmkit datasets generate`",
            )
        ]
    if problems:
        return [
            Finding(False, p, "pmkit datasets generate  (restores the committed files)") for p in problems
        ]
    return [Finding(True, f"datasets in {paths.datasets_dir()} match their manifest")]


CHECKS: tuple[Callable[[], list[Finding]], ...] = (_python, _packages, _kernel, _folders, _datasets)


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
        "All good: `python3 course.py start` opens the course."
        if not bad
        else f"{len(bad)} problem(s) to fix; see the 'fix:' lines above."
    )
    if os.environ.get("CONDA_PREFIX"):
        lines.append(f"(conda environment: {os.environ['CONDA_PREFIX']})")
    return "\n".join(lines)
