"""What pmkit.course._speedups skips costs nothing that anyone reads.

nbval logs every kernel message at debug level; pmkit's pytest plugin makes the
pretty-printing of that message wait until a record is actually written.
"""

from __future__ import annotations

import logging
import pprint
from typing import Any

import nbval.kernel
import pytest

from pmkit.course._speedups import LazyPrettyText, format_nbval_messages_lazily


class _CountsRepr:
    """A value in a kernel message that counts how often it is turned into text."""

    def __init__(self) -> None:
        self.calls = 0

    def __repr__(self) -> str:
        self.calls += 1
        return "<image/png data>"


class _OneMessageClient:
    def __init__(self, message: dict[str, Any]) -> None:
        self.message = message

    def get_iopub_msg(self, timeout: float | None = None) -> dict[str, Any]:
        return self.message


def _kernel_returning(message: dict[str, Any]) -> nbval.kernel.RunningKernel:
    # nbval's own get_message, on a client that hands back one message (no kernel started).
    kernel = object.__new__(nbval.kernel.RunningKernel)
    kernel.kc = _OneMessageClient(message)
    return kernel


def test_the_test_suite_runs_nbval_with_the_lazy_formatter() -> None:
    assert nbval.kernel.pformat is LazyPrettyText
    format_nbval_messages_lazily()  # a second call changes nothing
    assert nbval.kernel.pformat is LazyPrettyText


def test_kernel_messages_are_not_formatted_when_debug_logging_is_off(
        caplog: pytest.LogCaptureFixture) -> None:
    payload = _CountsRepr()
    message = {"content": {"data": {"image/png": payload}}}
    caplog.set_level(logging.INFO, logger="nbval")
    assert _kernel_returning(message).get_message("iopub") is message
    assert payload.calls == 0
    assert caplog.records == []


def test_kernel_messages_are_logged_in_full_when_debug_logging_is_on(
        caplog: pytest.LogCaptureFixture) -> None:
    payload = _CountsRepr()
    message = {"content": {"data": {"image/png": payload}}, "msg_type": "display_data"}
    caplog.set_level(logging.DEBUG, logger="nbval")
    _kernel_returning(message).get_message("iopub")
    assert payload.calls > 0
    assert caplog.messages == [f"Kernel message (iopub):\n{pprint.pformat(message)}"]


def test_a_new_nbval_that_formats_differently_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nbval.kernel, "pformat", repr)
    with pytest.raises(RuntimeError, match=r"no longer uses pprint\.pformat"):
        format_nbval_messages_lazily()


# --- upstream still does what each patch assumes (a fresh interpreter, before any patch) -------

def _fresh(code: str) -> str:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_jsonschema_still_builds_the_iri_grammar_on_import_so_skipping_it_still_pays() -> None:
    # In a fresh interpreter: this one runs under pmkit's pytest plugin, which skipped the grammar.
    installed = _fresh("import importlib.util; print(importlib.util.find_spec('rfc3987_syntax') is not None)")
    assert installed == "True", (
        "rfc3987_syntax is no longer installed with JupyterLab: skip_iri_grammar serves nothing, remove it")
    loaded = _fresh("import sys, jsonschema; print(sys.modules.get('rfc3987_syntax') is not None)")
    assert loaded == "True", ("jsonschema no longer imports rfc3987_syntax on import (upstream made it lazy, "
                              "jsonschema#1428): remove pmkit.course._speedups.skip_iri_grammar")


def test_with_the_grammar_skipped_notebooks_still_validate_and_only_the_iri_formats_are_lost() -> None:
    code = (
        "import sys\n"
        "from pmkit.course._speedups import skip_iri_grammar\n"
        "skip_iri_grammar()\n"
        "import jsonschema, nbformat\n"
        "from pmkit.paths import lessons_dir\n"
        "nbformat.validate(nbformat.read(lessons_dir() / '00_welcome.ipynb', as_version=4))\n"
        "checkers = jsonschema.FormatChecker().checkers\n"
        "print(sys.modules.get('rfc3987_syntax') is not None, 'iri' in checkers, 'uri' in checkers,\n"
        "      'date' in checkers)"
    )
    # jsonschema imports the grammar inside `suppress(ImportError)`: a None entry in sys.modules
    # makes that import fail, and jsonschema simply registers no "iri" format.
    assert _fresh(code) == "False False True True"


def test_nbval_still_pretty_prints_each_kernel_message_through_the_name_the_patch_replaces() -> None:
    import inspect

    assert _fresh("import pprint, nbval.kernel; print(nbval.kernel.pformat is pprint.pformat)") == "True"
    signature = inspect.signature(nbval.kernel.RunningKernel.get_message)
    assert list(signature.parameters) == ["self", "stream", "timeout"]
    assert "pformat" in nbval.kernel.RunningKernel.get_message.__code__.co_names
