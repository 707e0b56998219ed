"""The Khromtau study's own cross-input rules: Table 5 against Table 4, printed ranks.

Both only warn: the study's printed tables are kept as printed, and the audit
(:mod:`.reproduction`) explains each difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from tasks.parse import Issue
from tasks.studies.base import CheckedBatch
from tasks.studies.khromtau_2024.inputs import RULES


def checks(batch: CheckedBatch) -> list[Issue]:
    """Every study rule over ``batch`` (run after the generic cross-checks)."""
    return table5_issues(batch) + rank_issues(batch)


def table5_issues(batch: CheckedBatch) -> list[Issue]:
    """Table 5's counts should equal Table 4's Job and entrepreneurship rows."""
    if "survey_table5" not in batch.frames or "survey_perception" not in batch.frames:
        return []
    t5 = batch.frames["survey_table5"]
    t4 = batch.frames["survey_perception"].set_index(["survey_id", "area", "answer"])["respondents"]
    out = []
    for i, row in t5.iterrows():
        for col, area in (("job", "job"), ("entrepreneurship", "entrepreneurship")):
            k = (row.survey_id, area, row.answer)
            if k in t4.index and not np.isnan(row[col]) and row[col] != t4[k]:
                out.append(
                    Issue(
                        batch.payload_of["survey_table5"].source,
                        "survey_table5",
                        "matches_table4",
                        "warning",
                        f"{batch.files['survey_table5']} row {i + 2}, column {col} "
                        f"({row.survey_id}|{row.answer}): {row[col]:g}, Table 4 has {t4[k]} - "
                        f"{RULES['matches_table4']} [matches_table4]",
                        file=batch.files["survey_table5"],
                        file_row=i + 2,
                        row_key=f"{row.survey_id}|{row.answer}",
                        column_name=col,
                        observed=f"{row[col]:g}",
                    )
                )
    return out


def rank_issues(batch: CheckedBatch) -> list[Issue]:
    """Printed ranks (Tables 5 and 8) should equal ranks recomputed from all printed values.

    The study ranks in descending order (largest value = rank 1), ties averaged. One warning
    per rank column, listing the rows that differ.
    """
    out = []
    for table, pairs in (
        ("survey_table5", (("job", "rank_job"), ("entrepreneurship", "rank_entrepreneurship"))),
        ("survey_paired_values", (("x", "rank_x"), ("y", "rank_y"))),
    ):
        if table not in batch.frames:
            continue
        f, fname = batch.frames[table], batch.files[table]
        for survey, grp in f.groupby("survey_id"):
            for vcol, rcol in pairs:
                ok = grp[vcol].notna() & grp[rcol].notna()
                ranks = pd.Series(rankdata(-grp.loc[ok, vcol].to_numpy()), index=grp.index[ok])
                diff = (grp.loc[ok, rcol] - ranks).abs() > 1e-9
                if not diff.any():
                    continue
                rows = [int(i) + 2 for i in diff.index[diff]]
                example = diff.index[diff][0]
                out.append(
                    Issue(
                        batch.payload_of[table].source,
                        table,
                        "rank_recomputed",
                        "warning",
                        f"{fname} column {rcol} ({survey}): {len(rows)} of {int(ok.sum())} "
                        f"printed ranks differ from ranks of {vcol} recomputed over all "
                        f"{int(ok.sum())} rows "
                        f"(file rows {rows[0]}-{rows[-1]}; e.g. row {rows[0]}: printed "
                        f"{grp.at[example, rcol]:g}, recomputed {ranks[example]:g}) - "
                        f"{RULES['rank_recomputed']} [rank_recomputed]",
                        file=fname,
                        file_row=rows[0],
                        row_key=str(survey),
                        column_name=rcol,
                        observed=",".join(f"{v:g}" for v in grp.loc[diff.index[diff], rcol]),
                    )
                )
    return out
