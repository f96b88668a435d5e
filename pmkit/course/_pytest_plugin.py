"""The pytest set-up every run of this repository's tests and notebooks shares.

``pyproject.toml`` loads it with ``-p pmkit.course._pytest_plugin``. A ``-p`` plugin is imported
before the plugins pytest finds through entry points, and that order is the point: nbval's
plugin imports nbformat, nbformat imports jsonschema, and jsonschema would build an IRI
grammar (about 2.4 s) in the main process and in every xdist worker unless
:func:`pmkit.course._speedups.skip_iri_grammar` has run first. A ``conftest.py`` loads too late.

It also makes nbval start kernels on addresses no parallel worker can take
(:mod:`pmkit.course._kernels`), spares nbval formatting every kernel message for a debug log
nobody reads (:mod:`pmkit.course._speedups`), and sets the environment nbval's kernels inherit,
the same one ``pmkit build`` and ``pmkit check`` give theirs
(:data:`pmkit.course.notebooks.KERNEL_ENV`).
"""

from __future__ import annotations

import os

from pmkit.course._speedups import skip_iri_grammar

skip_iri_grammar()


def pytest_configure(config: object) -> None:
    from pmkit.course._kernels import use_private_kernels_in_nbval
    from pmkit.course._speedups import format_nbval_messages_lazily
    from pmkit.course.notebooks import KERNEL_ENV

    use_private_kernels_in_nbval()
    format_nbval_messages_lazily()
    os.environ.update(KERNEL_ENV)
    os.environ.pop("MPLBACKEND", None)  # a non-inline backend would drop figures from outputs
