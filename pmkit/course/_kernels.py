"""Kernels that cannot take each other's addresses, however many processes start them at once.

jupyter_client gives a new kernel five TCP ports by binding port 0 and closing the socket,
and remembers the ports it handed out only inside its own process. Two processes starting
kernels at the same moment (pytest-xdist workers running nbval, ``pmkit grade --jobs``
workers, two ``pmkit build`` runs) can pick the same free port; one kernel then fails to
bind or talks to the wrong client, and the run fails with "Kernel didn't respond in 60
seconds". On POSIX every kernel pmkit starts uses ZeroMQ's ``ipc`` transport instead: its
sockets are files named after a fresh random prefix in the temp folder, so no two kernels
anywhere can share an address, and jupyter_client deletes the files when the kernel stops.
Windows has no ``ipc`` transport and keeps TCP. Upstream: the port race is
https://github.com/jupyter/jupyter_client/issues/487 (and
https://github.com/nteract/papermill/issues/511); nbval offers no option for the kernel
manager class (its ``start_new_kernel`` builds ``KernelManager`` by that module-level name,
https://github.com/computationalmodelling/nbval/blob/master/nbval/kernel.py), so
:func:`use_private_kernels_in_nbval` replaces the name, and ``tests/test_kernels.py`` fails
when nbval stops building its manager that way.

They share no history database either: an IPython kernel started here keeps its input
history in memory, as nbclient already arranges for the kernels it starts. Nobody scrolls
back through a headless run's cells, and parallel kernels writing the one
``history.sqlite`` in the user's home only wait on each other's locks (and fill a
learner's history with test runs). nbval asks for nothing of the kind, so its kernels get
it here. JupyterLab's kernels are not started here and keep their history as usual.

>>> manager = PrivateKernelManager(kernel_name="python3")
>>> manager.transport == ("ipc" if os.name == "posix" else "tcp")
True
"""

from __future__ import annotations

import os
import tempfile
import uuid
from typing import Any

from jupyter_client.manager import AsyncKernelManager, KernelManager


def _fresh_ipc_prefix() -> str:
    # Short on purpose: a Unix socket path must stay under ~104 bytes, and ZeroMQ appends "-N".
    return os.path.join(tempfile.gettempdir(), f"pmkit-kernel-{uuid.uuid4().hex[:16]}")


# IPython's own setting for "no history file" (nbclient's default for its kernels too); it
# also spares the kernel a database write on every cell.
IN_MEMORY_HISTORY = "--HistoryManager.hist_file=:memory:"


class _PrivateAddresses:
    """Give the kernel a fresh ipc address unless the caller chose a transport, and keep
    an IPython kernel's history in memory."""

    def __init__(self, **kwargs: Any) -> None:
        if os.name == "posix" and "transport" not in kwargs:
            kwargs["transport"] = "ipc"
            kwargs.setdefault("ip", _fresh_ipc_prefix())
        super().__init__(**kwargs)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        arguments = list(extra_arguments or [])
        # Only ipykernel knows IPython's options (another kernel would refuse to start), and a
        # history file the caller chose (nbclient names one) is the caller's.
        chosen = any(argument.startswith("--HistoryManager.hist_file") for argument in arguments)
        if not chosen and any("ipykernel" in part for part in self.kernel_spec.argv):
            arguments.append(IN_MEMORY_HISTORY)
        return super().format_kernel_cmd(extra_arguments=arguments)


class PrivateKernelManager(_PrivateAddresses, KernelManager):
    """A blocking ``KernelManager`` (what nbval drives) on addresses no other kernel can pick."""


class AsyncPrivateKernelManager(_PrivateAddresses, AsyncKernelManager):
    """The asynchronous kind nbclient and papermill need: with a blocking manager nbclient's
    per-cell timeout never fires."""


def use_private_kernels_in_nbval() -> None:
    """Make nbval start its kernels with :class:`PrivateKernelManager`.

    nbval builds its ``KernelManager`` from the name it imported into ``nbval.kernel`` and
    offers no option for the class; ``pmkit.course._pytest_plugin`` calls this in every pytest
    process. Fails loudly if a new nbval stops using that name, rather than quietly
    going back to racing for ports.
    """
    import nbval.kernel

    if getattr(nbval.kernel, "KernelManager", None) not in (KernelManager, PrivateKernelManager):
        raise RuntimeError(
            "nbval.kernel.KernelManager is no longer jupyter_client's KernelManager; "
            "update pmkit.course._kernels.use_private_kernels_in_nbval for this nbval version"
        )
    nbval.kernel.KernelManager = PrivateKernelManager
