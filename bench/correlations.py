"""Survey correlation benchmark: ``correlation_matrix`` against pandas ``DataFrame.corr``.

Data: ``n`` respondents x 20 Likert items (1-5), see :mod:`bench.generate`. Each child loads the
matrix (not timed), then times one call:

* ``ours_ps``: ``correlation_matrix`` Pearson **and** Spearman, each with p-values and confidence
  intervals (190 tidy rows each) vs ``pandas_spearman``: ``df.corr(method="spearman")`` (the
  coefficients only). Target <= 0.3x.
* ``ours_kendall``: ``correlation_matrix(method="kendall")`` (tau-b, p, CI) vs
  ``pandas_kendall``: ``df.corr(method="kendall")``. Target <= 0.1x.

Our children also report the largest difference between their estimates and scipy's on the
first three pairs (computed after the timing), so a fast wrong answer would show.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.common import DATA_DIR, Row, emit, interleave

TARGET_SPEARMAN = 0.3
TARGET_KENDALL = 0.1


def _load(path: Path):
    import numpy as np
    import pandas as pd

    mat = np.load(path)
    return pd.DataFrame(mat, columns=[f"q{j + 1:02d}" for j in range(mat.shape[1])])


def _max_diff(tidy, df, method: str) -> float:
    """Largest |estimate - scipy| over the first pairs (scipy: an independent reference)."""
    from scipy import stats

    fn = {"pearson": stats.pearsonr, "spearman": stats.spearmanr, "kendall": stats.kendalltau}
    worst = 0.0
    for x, y, est in list(zip(tidy["x"], tidy["y"], tidy["estimate"], strict=True))[:3]:
        ref = fn[method](df[x].to_numpy(float), df[y].to_numpy(float)).statistic
        worst = max(worst, abs(float(est) - float(ref)))
    return worst


def child(kind: str, path: Path) -> dict:
    """Time one correlation path on the survey matrix at ``path``."""
    from tasks.stats.correlation import correlation_matrix

    df = _load(path)
    t0 = time.perf_counter()
    if kind == "ours_ps":
        pearson = correlation_matrix(df, method="pearson")
        spearman = correlation_matrix(df, method="spearman")
        rows = len(pearson) + len(spearman)
    elif kind == "ours_kendall":
        kendall = correlation_matrix(df, method="kendall")
        rows = len(kendall)
    elif kind == "pandas_spearman":
        ref = df.corr(method="spearman")
        rows = ref.size
    elif kind == "pandas_kendall":
        ref = df.corr(method="kendall")
        rows = ref.size
    else:  # pragma: no cover - argparse guards
        raise ValueError(kind)
    seconds = time.perf_counter() - t0
    out = {"seconds": seconds, "rows": rows, "n": len(df), "items": df.shape[1]}
    if kind == "ours_ps":
        out["max_abs_diff"] = max(
            _max_diff(pearson, df, "pearson"), _max_diff(spearman, df, "spearman")
        )
    elif kind == "ours_kendall":
        out["max_abs_diff"] = _max_diff(kendall, df, "kendall")
    return out


def run(
    rows: int,
    reps: int,
    kendall_rows: int | None = None,
    kendall_reps: int | None = None,
    data: Path = DATA_DIR,
) -> list[Row]:
    """Interleaved repetitions; returns the Spearman and Kendall table rows."""
    from bench.generate import generate_survey

    path = generate_survey(rows, base=data)

    def cmd(kind: str, where: Path) -> list[str]:
        return ["bench.correlations", "--child", kind, "--input", str(where)]

    series = interleave(
        {"ours_ps": cmd("ours_ps", path), "pandas_spearman": cmd("pandas_spearman", path)}, reps
    )
    k_rows = kendall_rows or rows
    k_path = generate_survey(k_rows, base=data)
    k_series = interleave(
        {
            "ours_kendall": cmd("ours_kendall", k_path),
            "pandas_kendall": cmd("pandas_kendall", k_path),
        },
        kendall_reps or reps,
    )
    diff = max(r["max_abs_diff"] for r in series["ours_ps"].runs)
    kdiff = max(r["max_abs_diff"] for r in k_series["ours_kendall"].runs)
    return [
        Row(
            "correlations: Pearson+Spearman (p, CI) / pandas corr(spearman)",
            f"{rows:,}x20".replace(",", " "),
            series["ours_ps"],
            series["pandas_spearman"],
            target=f"<= {TARGET_SPEARMAN}x",
            ratio_target=TARGET_SPEARMAN,
            note=f"estimates vs scipy (first 3 pairs): max |diff| {diff:.1e}",
        ),
        Row(
            "correlations: Kendall tau-b (p, CI) / pandas corr(kendall)",
            f"{k_rows:,}x20".replace(",", " "),
            k_series["ours_kendall"],
            k_series["pandas_kendall"],
            target=f"<= {TARGET_KENDALL}x",
            ratio_target=TARGET_KENDALL,
            note=f"estimates vs scipy (first 3 pairs): max |diff| {kdiff:.1e}",
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.correlations")
    kinds = ["ours_ps", "ours_kendall", "pandas_spearman", "pandas_kendall"]
    p.add_argument("--child", choices=kinds)
    p.add_argument("--input", type=Path)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args(argv)
    if a.child:
        emit(child(a.child, a.input))
        return
    from bench.common import fmt_row

    for row in run(a.rows, a.reps):
        print(fmt_row(row), row.note)


if __name__ == "__main__":
    main()
