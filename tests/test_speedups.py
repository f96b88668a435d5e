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
