"""bench/delivery.py measures the bulk pool that docs/operations.md#production tells operators
to run: the same processes and threads, in its production-layout run and by default."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
BULK = re.compile(r"dramatiq workers --queues bulk --processes (\d+) --threads (\d+)")


def documented() -> tuple[str, str]:
    production = (ROOT / "docs" / "operations.md").read_text().split("## Production", 1)[1]
    found = BULK.search(production)
    assert found, "docs/operations.md#production names no bulk pool"
    return found.group(1), found.group(2)


def test_the_bench_runs_the_documented_bulk_pool():
    processes, threads = documented()
    bench = (ROOT / "bench" / "delivery.py").read_text()
    command = re.search(
        r'"--queues", "bulk", "--processes", "(\d+)",\s*"--threads", "(\d+)"', bench
    )
    assert command, "bench/delivery.py starts no bulk pool"
    assert command.groups() == (processes, threads)
    defaults = {
        name: re.search(rf'"--{name}", type=int, default=(\d+)', bench).group(1)  # type: ignore[union-attr]
        for name in ("processes", "threads")
    }
    assert defaults == {"processes": processes, "threads": threads}


def test_the_bulk_pool_runs_one_thread_per_process():
    """An RSA signature holds the GIL: a second thread would wait on it (operations.md)."""
    assert documented()[1] == "1"
