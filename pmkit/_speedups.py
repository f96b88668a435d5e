"""Start-up costs pmkit avoids in the processes it runs.

With JupyterLab installed, ``jsonschema`` imports ``rfc3987_syntax``, which
builds an IRI grammar at import time: about 2.4 s in every process that
imports ``nbformat`` (measured with ``python -X importtime -c "import papermill"``).
Notebook validation never checks IRIs, so pmkit's own processes (the CLI,
grading and run workers, the test suite) tell ``jsonschema`` the package is
absent. The JupyterLab server runs in its own process and is unaffected.
"""

from __future__ import annotations

import sys


def skip_iri_grammar() -> None:
    """Make ``import rfc3987_syntax`` fail fast, unless jsonschema is already loaded."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
