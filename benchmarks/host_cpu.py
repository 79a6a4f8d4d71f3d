"""The CPU time devhost's processes spend on a load, so a benchmark can say what one request costs
the host: a multiple of a trivial function's cost is the least its answer time can be under load,
since requests in flight share the HTTP process's one core."""

from __future__ import annotations

from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class CpuSpent:
    http_s: float    # the HTTP process (devhost's front end)
    worker_s: float  # its background worker process(es); 0 with --single-process

    def __sub__(self, earlier: CpuSpent) -> CpuSpent:
        return CpuSpent(self.http_s - earlier.http_s, self.worker_s - earlier.worker_s)

    def per_request_ms(self, requests: int) -> dict[str, float]:
        return {"http_process_cpu_ms": round(1000 * self.http_s / requests, 3),
                "worker_process_cpu_ms": round(1000 * self.worker_s / requests, 3)}


class HostCpu:
    """CPU seconds (user and system) of the devhost process and its children so far."""

    def __init__(self, pid: int) -> None:
        self._host = psutil.Process(pid)

    def spent(self) -> CpuSpent:
        return CpuSpent(_seconds(self._host), sum(_seconds(child) for child in self._host.children(recursive=True)))


def _seconds(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system
