"""Shared benchmark helpers: child-process measurement, repetitions, summaries, machine facts.

Every measured path runs in a fresh Python subprocess (``python -m bench.<module> --child ...``)
that does its imports, then times only the work and prints one JSON line with ``seconds``
(wall time of the work), optional per-stage times, and ``peak_rss_mb``, the child's own peak
resident set (``getrusage(RUSAGE_SELF).ru_maxrss``; it includes the interpreter and imports, which
is what a user's process really holds). Paths compared with each other always run interleaved in
the same parent run (A, B, A, B, ...), so a noisy neighbour hits both.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "bench" / "_data"
RESULT_MARK = "BENCH-RESULT "


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def emit(result: dict) -> None:
    """Print a child's result line (parsed by :func:`run_child`)."""
    result.setdefault("peak_rss_mb", peak_rss_mb())
    print(RESULT_MARK + json.dumps(result, default=str), flush=True)


class Stopwatch:
    """Named stage timings: ``with sw("read"): ...``; ``sw.total`` is their sum."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self.peaks: dict[str, float] = {}  # peak RSS (MiB) reached by the end of each stage

    def __call__(self, name: str):
        sw = self

        class _Stage:
            def __enter__(self):
                self.t0 = time.perf_counter()

            def __exit__(self, *exc):
                sw.stages[name] = sw.stages.get(name, 0.0) + time.perf_counter() - self.t0
                sw.peaks[name] = peak_rss_mb()

        return _Stage()

    @property
    def total(self) -> float:
        return sum(self.stages.values())


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of a measured child: this one, with the project importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("PYTHONHASHSEED", "0")
    env.update(extra or {})
    return env


def run_child(
    args: list[str], env: dict[str, str] | None = None, timeout: float = 900, expect_result=True
) -> dict:
    """Run ``python -m <args>`` in a fresh process; return its result dict.

    Added to the result: ``wall_seconds`` (process start to exit, imports included) and
    ``peak_rss_mb`` from the kernel's accounting of that child (``wait4``) when the child did not
    report its own. A child that prints no result line (``expect_result=False``, e.g. the CLI)
    gets a result of just those two.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", *args], cwd=ROOT, env=env or child_env(), stdout=out, stderr=err
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    lines = [ln for ln in stdout.splitlines() if ln.startswith(RESULT_MARK)]
    if proc.returncode != 0 or (expect_result and not lines):
        raise RuntimeError(
            f"benchmark child {' '.join(args)} failed (exit {proc.returncode}):\n"
            f"{stdout[-3000:]}\n{stderr[-3000:]}"
        )
    result = json.loads(lines[-1][len(RESULT_MARK) :]) if lines else {}
    result["wall_seconds"] = wall
    result.setdefault("peak_rss_mb", usage.ru_maxrss / 1024.0)
    return result


@dataclass
class Series:
    """Repeated measurements of one path."""

    name: str
    runs: list[dict] = field(default_factory=list)

    def values(self, key: str = "seconds") -> list[float]:
        return [float(r[key]) for r in self.runs]

    @property
    def min(self) -> float:
        return min(self.values())

    @property
    def median(self) -> float:
        return statistics.median(self.values())

    @property
    def rss(self) -> float:
        """Median peak RSS (MiB)."""
        return statistics.median(self.values("peak_rss_mb"))

    def stage_medians(self) -> dict[str, float]:
        keys: list[str] = []
        for r in self.runs:
            keys += [k for k in r.get("stages", {}) if k not in keys]
        return {
            k: statistics.median(r["stages"].get(k, 0.0) for r in self.runs if "stages" in r)
            for k in keys
        }


def interleave(paths: dict[str, list[str]], reps: int, env=None, timeout=900) -> dict[str, Series]:
    """Run each named child command ``reps`` times, interleaved A, B, A, B ..."""
    out = {name: Series(name) for name in paths}
    for _ in range(reps):
        for name, args in paths.items():
            out[name].runs.append(run_child(args, env=env, timeout=timeout))
    return out


@dataclass
class Row:
    """One line of the results table: our path against its baseline."""

    benchmark: str
    scale: str
    ours: Series
    base: Series
    target: str = ""
    ratio_target: float | None = None
    rss_target: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float:
        """Median time ratio ours / baseline."""
        return self.ours.median / self.base.median

    @property
    def ratio_min(self) -> float:
        return self.ours.min / self.base.min

    @property
    def rss_ratio(self) -> float:
        return self.ours.rss / self.base.rss

    @property
    def met(self) -> str:
        if self.ratio_target is None:
            return ""
        ok = self.ratio <= self.ratio_target
        if self.rss_target is not None:
            ok = ok and self.rss_ratio <= self.rss_target
        return "yes" if ok else "no"

    def as_dict(self) -> dict:
        return {
            "benchmark": self.benchmark,
            "scale": self.scale,
            "ours": self.ours.name,
            "baseline": self.base.name,
            "reps": len(self.ours.runs),
            "ours_min_s": self.ours.min,
            "ours_median_s": self.ours.median,
            "base_min_s": self.base.min,
            "base_median_s": self.base.median,
            "ratio_median": self.ratio,
            "ratio_min": self.ratio_min,
            "ours_rss_mb": self.ours.rss,
            "base_rss_mb": self.base.rss,
            "rss_ratio": self.rss_ratio,
            "target": self.target,
            "met": self.met,
            "note": self.note,
            "ours_stages": self.ours.stage_medians(),
            "base_stages": self.base.stage_medians(),
        }


def fmt_row(row: Row) -> str:
    """One line of console output."""
    return (
        f"{row.benchmark:<34} {row.scale:>6}  ours {row.ours.min:8.3f}/{row.ours.median:8.3f} s  "
        f"base {row.base.min:8.3f}/{row.base.median:8.3f} s  ratio {row.ratio:6.3f}  "
        f"rss {row.ours.rss:7.0f}/{row.base.rss:7.0f} MiB ({row.rss_ratio:4.2f})  "
        f"target {row.target or '-'} {row.met}"
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def blas_info() -> str:
    """Which BLAS numpy uses and, for OpenBLAS, the kernel (core) it runs."""
    try:
        import numpy as np

        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        name = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # pragma: no cover - very old numpy
        return "unknown"
    core = ""
    try:
        import ctypes
        import glob

        import numpy as np

        libs = glob.glob(str(Path(np.__file__).parent.parent / "numpy.libs" / "*openblas*"))
        if libs:
            lib = ctypes.CDLL(libs[0])
            for sym in (
                "scipy_openblas_get_corename64_",
                "openblas_get_corename64_",
                "openblas_get_corename",
            ):
                fn = getattr(lib, sym, None)
                if fn is not None:
                    fn.restype = ctypes.c_char_p
                    core = fn().decode()
                    break
    except Exception:
        core = ""
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    env_txt = ", ".join(f"{k}={v}" for k, v in env.items()) or "OPENBLAS_CORETYPE unset"
    return f"{name}; kernel {core or 'unknown'}; {env_txt}"


def machine_facts() -> dict[str, str]:
    """CPU, cores, RAM, Python and library versions, date (for RESULTS.md)."""
    facts = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "ram": f"{_mem_total_gib():.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
    }
    for pkg in ("duckdb", "pandas", "numpy", "pyarrow", "pandera", "scipy", "prefect"):
        try:
            facts[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            facts[pkg] = "not installed"
    facts["blas"] = blas_info()
    with contextlib.suppress(OSError):
        facts["load average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return facts
