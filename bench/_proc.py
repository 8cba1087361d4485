"""Process CPU and memory readings from /proc (Linux), for benchmarks."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu_s: float  # user + system seconds of the process and its reaped children
    rss_mb: float


def sample(pid: int) -> Sample:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    cpu = sum(int(v) for v in fields[11:15]) / _TICKS  # utime stime cutime cstime
    rss_kb = 0
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
    return Sample(time.monotonic(), cpu, rss_kb / 1024)


def cpu_percent(a: Sample, b: Sample) -> float:
    """CPU use between two samples, 100 % = one core busy."""
    return 100.0 * (b.cpu_s - a.cpu_s) / max(1e-9, b.wall - a.wall)
