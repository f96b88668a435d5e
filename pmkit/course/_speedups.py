"""Costs pmkit avoids in the processes it runs.

With JupyterLab installed, ``jsonschema`` imports ``rfc3987_syntax``, which
builds an IRI grammar at import time: about 2.4 s in every process that
imports ``nbformat`` (measured with ``python -X importtime -c "import papermill"``).
Notebook validation never checks IRIs, so pmkit's own processes (the CLI,
grading and run workers, the test suite) tell ``jsonschema`` the package is
absent. The JupyterLab server runs in its own process and is unaffected.
Upstream: jsonschema imports the grammar eagerly in ``jsonschema/_format.py`` (a lazy import
was asked for in https://github.com/python-jsonschema/jsonschema/issues/1428; a lazily
loading fork is proposed in https://github.com/python-jsonschema/jsonschema/pull/1521).
``tests/test_speedups.py`` fails when a new jsonschema no longer imports it, so the skip
goes when it stops paying.

nbval logs every message a kernel sends at debug level, and pretty-prints the
message before asking the logger, so the work is done even when nobody logs at
that level: about 1 s of CPU in an nbval run of the course's notebooks, every
chart's PNG included (measured by timing ``nbval.kernel.pformat`` in both xdist
workers). The test suite gives nbval a formatter that waits until a log record is
actually written. Upstream: ``RunningKernel.get_message`` in
https://github.com/computationalmodelling/nbval/blob/master/nbval/kernel.py formats before
logging; the standard library's advice is to pass arguments and let logging format them
(https://docs.python.org/3/howto/logging.html#optimization). ``tests/test_speedups.py``
checks that nbval still calls ``pformat`` by that name with the same signature.
"""

from __future__ import annotations

import pprint
import sys
from typing import Any


def skip_iri_grammar() -> None:
    """Make ``import rfc3987_syntax`` fail fast, unless jsonschema is already loaded."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


class LazyPrettyText:
    """``pprint.pformat(value)``, computed when (and only when) it is turned into text.

    >>> message = LazyPrettyText({"content": {"status": "ok"}})
    >>> str(message)
    "{'content': {'status': 'ok'}}"
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __str__(self) -> str:
        return pprint.pformat(self.value)


def format_nbval_messages_lazily() -> None:
    """Let nbval's debug log of kernel messages cost nothing unless debug logging is on.

    nbval calls ``logger.debug("...%s", stream, pformat(message))``: logging formats its
    arguments only for a record it writes, so a lazy ``pformat`` gives the same log when
    debug is on and no work when it is off. Fails loudly if a new nbval stops importing
    ``pformat`` into ``nbval.kernel``, rather than quietly paying for it again.
    """
    import nbval.kernel

    current = getattr(nbval.kernel, "pformat", None)
    if current is LazyPrettyText:
        return
    if current is not pprint.pformat:
        raise RuntimeError("nbval.kernel no longer uses pprint.pformat; update "
                           "pmkit.course._speedups.format_nbval_messages_lazily for this nbval version")
    nbval.kernel.pformat = LazyPrettyText
