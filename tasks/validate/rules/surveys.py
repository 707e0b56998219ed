"""Survey rules: the inputs about a survey, and each item's answer counts against the survey's
respondents."""

from __future__ import annotations

from schemas.inputs import RULES
from tasks import studies
from tasks.parse import Issue
from tasks.sources.base import Batch

SURVEY_INPUTS = ("survey_respondents", "survey_perception", "survey_support_scores")


def survey_inputs(batch: Batch) -> list[str]:
    """Inputs of ``batch`` that refer to a survey: the generic ones, then the studies'."""
    extra = [
        name
        for name, spec in studies.INPUTS.items()
        if name not in SURVEY_INPUTS and name != "surveys" and "survey_id" in spec.columns
    ]
    return [t for t in (*SURVEY_INPUTS, *extra) if t in batch.frames]


def _sum_issue(src, table, fname, key, total, respondents) -> Issue | None:
    if total == respondents:
        return None
    check = "counts_exceed_respondents" if total > respondents else "counts_below_respondents"
    severity = "error" if total > respondents else "warning"
    return Issue(
        src,
        table,
        check,
        severity,
        f"{fname}: {key}: counts add up to {total}, respondents {respondents} - "
        f"{RULES[check]} [{check}]",
        file=fname,
        row_key=key,
        observed=str(total),
    )


def survey_sums(batch: Batch) -> list[Issue]:
    """Each item's answer counts should add up to the survey's respondents."""
    if "surveys" not in batch.frames:
        return []
    resp = batch.frames["surveys"].set_index("survey_id")["respondents"]
    out = []
    for table, item in (
        ("survey_perception", "area"),
        ("survey_support_scores", "measure"),
        ("survey_respondents", None),
    ):
        if table not in batch.frames:
            continue
        f = batch.frames[table]
        src, fname = batch.payload_of[table].source, batch.files[table]
        groups = ["survey_id"] + ([item] if item else [])
        for key, total in f.groupby(groups)["respondents"].sum().items():
            key = key if isinstance(key, tuple) else (key,)
            issue = _sum_issue(
                src, table, fname, "|".join(map(str, key)), int(total), int(resp[key[0]])
            )
            if issue and item is None:
                issue.check_name = "categories_sum"
                issue.message = issue.message.replace(
                    issue.message.split(" - ")[-1], f"{RULES['categories_sum']} [categories_sum]"
                )
            if issue:
                out.append(issue)
    return out
