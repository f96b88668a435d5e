"""Kernels started in parallel processes never share an address (pmkit.course._kernels).

jupyter_client's TCP ports are only de-duplicated inside one process, so parallel xdist
workers and grading workers could hand two kernels the same port. Every path that starts a
kernel (nbval through ``pmkit.course._pytest_plugin``, papermill through ``run_notebook``,
``pmkit build`` through nbclient) must use the private ipc addresses.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

import pmkit.course._kernels as kernels
from pmkit.course.execute import run_notebook

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="ipc transport is POSIX only")

# A cell that prints the transport of the kernel running it and where its history goes.
WHERE_AM_I = (
    "from ipykernel.kernelapp import IPKernelApp\n"
    "app = IPKernelApp.instance()\n"
    "print(app.transport, get_ipython().history_manager.hist_file)"
)
PRIVATE = "ipc :memory:\n"

START_ONE = """
import json
from pmkit.course._kernels import PrivateKernelManager
km = PrivateKernelManager(kernel_name="python3")
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=60)
reply = kc.execute_interactive("print(21 * 2)", timeout=60)
print(json.dumps({"status": reply["content"]["status"], "ip": km.ip, "transport": km.transport}))
kc.stop_channels()
km.shutdown_kernel(now=True)
"""


def test_kernels_started_at_once_in_separate_processes_all_answer_on_their_own_addresses() -> None:
    runs = [
        subprocess.Popen([sys.executable, "-c", START_ONE], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    # The last line is the report; the kernel's own output ("42") comes before it.
    reports = [json.loads(run.communicate(timeout=120)[0].splitlines()[-1]) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0]
    assert [(r["status"], r["transport"]) for r in reports] == [("ok", "ipc")] * 3
    assert len({r["ip"] for r in reports}) == 3  # three kernels, three address prefixes
    left_behind = [path for r in reports for path in glob.glob(r["ip"] + "-*")]
    assert left_behind == []  # sockets are removed when a kernel stops


def test_an_explicit_transport_is_respected() -> None:
    manager = kernels.PrivateKernelManager(kernel_name="python3", transport="tcp")
    assert manager.transport == "tcp"
    assert manager.ip in {"127.0.0.1", "localhost"}


def test_each_manager_gets_a_fresh_short_address() -> None:
    first, second = (kernels.PrivateKernelManager(kernel_name="python3") for _ in range(2))
    assert first.ip != second.ip
    assert len(first.ip) + len("-5") < 100  # Unix socket paths are limited to about 104 bytes


def test_run_notebook_uses_private_addresses(tmp_path: Path) -> None:
    path = tmp_path / "where.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(WHERE_AM_I)]), path)
    result = run_notebook(path, tmp_path / "out.ipynb")
    assert result.ok, result.summary()
    outputs = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0].outputs
    assert [o.get("text") for o in outputs] == [PRIVATE]


def test_nbval_runs_use_private_addresses_through_pmkits_pytest_plugin(tmp_path: Path) -> None:
    # A notebook whose stored output says "ipc :memory:": nbval fails it if the kernel ran on
    # TCP or wrote the history file.
    cell = new_code_cell(WHERE_AM_I, execution_count=1)
    cell.outputs = [new_output("stream", name="stdout", text=PRIVATE)]
    nbformat.write(new_notebook(cells=[cell]), tmp_path / "where.ipynb")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "pmkit.course._pytest_plugin", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "--nbval", "--nbval-current-env", "where.ipynb"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert "1 passed" in result.stdout


def test_only_an_ipython_kernel_without_a_history_file_is_given_the_in_memory_one() -> None:
    from jupyter_client.kernelspec import KernelSpec

    manager = kernels.PrivateKernelManager(kernel_name="python3")
    assert kernels.IN_MEMORY_HISTORY in manager.format_kernel_cmd()
    chosen = manager.format_kernel_cmd(["--HistoryManager.hist_file=/tmp/mine.sqlite"])
    assert [a for a in chosen if "hist_file" in a] == ["--HistoryManager.hist_file=/tmp/mine.sqlite"]
    manager._kernel_spec = KernelSpec(argv=["some-other-kernel", "{connection_file}"], language="x")
    assert kernels.IN_MEMORY_HISTORY not in manager.format_kernel_cmd()


def test_a_changed_nbval_is_reported_not_silently_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    import nbval.kernel

    monkeypatch.setattr(nbval.kernel, "KernelManager", object)
    with pytest.raises(RuntimeError, match=r"nbval\.kernel\.KernelManager"):
        kernels.use_private_kernels_in_nbval()


def test_a_cell_timeout_still_stops_a_stuck_cell() -> None:
    # nbclient needs the asynchronous manager: with a blocking one its timeout never fires.
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError

    nb = new_notebook(cells=[new_code_cell("import time\ntime.sleep(60)")])
    client = NotebookClient(nb, kernel_name="python3", timeout=1, shutdown_kernel="immediate",
                            kernel_manager_class=kernels.AsyncPrivateKernelManager)
    started = time.perf_counter()
    with pytest.raises(CellTimeoutError):
        client.execute()
    assert time.perf_counter() - started < 30


def test_nbval_still_builds_its_kernel_manager_from_the_name_the_patch_replaces() -> None:
    """If nbval gains an option for the manager class, or stops calling the module-level name,
    use_private_kernels_in_nbval must change: this fails first."""
    import inspect
    import textwrap

    import nbval.kernel

    code = textwrap.dedent("""
        import jupyter_client.manager, nbval.kernel
        print(nbval.kernel.KernelManager is jupyter_client.manager.KernelManager)
    """)
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert fresh.stdout.strip() == "True", fresh.stderr[-2000:]
    assert list(inspect.signature(nbval.kernel.start_new_kernel).parameters) == [
        "startup_timeout", "kernel_name", "kwargs"]
    assert "KernelManager" in nbval.kernel.start_new_kernel.__code__.co_names
    assert nbval.kernel.KernelManager is kernels.PrivateKernelManager  # what the plugin set up here
