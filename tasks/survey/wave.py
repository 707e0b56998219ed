"""A coded survey wave as warehouse frames, and the warehouse rules a wave must meet.

The long-format frames of ``core.survey_answer`` and ``core.survey_item``
(:func:`answers_frame`, :func:`items_frame`), the wide code frame of one coded file
(:func:`wide_codes`), the context checks against the warehouse (:func:`context_issues`: known
town, not one of the study's aggregate surveys), the synthetic flag and the default period.
Used by :mod:`tasks.survey.importer`, which re-exports the public names.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from schemas.survey import SURVEY_RULES
from tasks.parse import Issue
from tasks.survey.codebook import Codebook, Item
from tasks.survey.coding import Coded, _issue

# ---------------------------------------------------------------- long format


def answers_frame(cb: Codebook, items: list[Item]) -> pd.DataFrame:
    """``core.survey_answer`` rows (without survey_id) for ``items``; option items are 0/1."""
    rows = []
    for it in items:
        if it.multiple:
            for opt in it.option_items():
                rows.append((opt, 0, "not_selected", "Not selected", "Не выбрано"))
                rows.append((opt, 1, "selected", "Selected", "Выбрано"))
        else:
            for a in it.scale.answers:
                rows.append((it.id, a.code, a.key, a.en or a.key, a.ru or None))
    return pd.DataFrame(rows, columns=["item", "value", "answer", "label_en", "label_ru"])


def items_frame(cb: Codebook, items: list[Item]) -> pd.DataFrame:
    """``core.survey_item`` rows (without survey_id) for ``items`` and their option items."""
    composite_of = {m: c.id for c in cb.composites for m in c.items}
    rows = []
    for it in items:
        base = {
            "question_id": it.question,
            "question_en": it.question_en,
            "question_ru": it.question_ru,
            "role": it.role,
            "scale": it.scale.id,
            "required": it.required,
            "composite": composite_of.get(it.id),
        }
        if it.multiple:
            for opt, a in zip(it.option_items(), it.scale.answers, strict=True):
                rows.append(
                    {
                        **base,
                        "item": opt,
                        "parent_item": it.id,
                        "scale_type": "binary",
                        "label_en": f"{it.en}: {a.en}",
                        "label_ru": f"{it.ru}: {a.ru}" if it.ru and a.ru else None,
                        "position": it.position,
                    }
                )
        else:
            rows.append(
                {
                    **base,
                    "item": it.id,
                    "parent_item": None,
                    "scale_type": it.scale.type,
                    "label_en": it.en,
                    "label_ru": it.ru or None,
                    "position": it.position,
                }
            )
    cols = [
        "item",
        "parent_item",
        "question_id",
        "question_en",
        "question_ru",
        "role",
        "scale",
        "scale_type",
        "label_en",
        "label_ru",
        "required",
        "position",
        "composite",
    ]
    return pd.DataFrame(rows, columns=cols)


def wide_codes(coded: Coded, cb: Codebook) -> pd.DataFrame:
    """One integer column per stored item (option items expanded to 0/1); ``NA`` = blank."""
    rc = cb.respondent_column
    out = {"respondent_id": coded.frame[rc].astype(str).to_numpy()}
    for it in cb.items:
        if it.id not in coded.frame.columns:
            continue
        col = coded.frame[it.id].astype("Int64")
        if it.multiple:
            mask = col.to_numpy(dtype="float64", na_value=np.nan)
            answered = ~np.isnan(mask)
            bits = np.where(answered, mask, 0).astype(np.int64)
            for j, opt in enumerate(it.option_items()):
                arr = pd.array((bits >> j) & 1, dtype="Int64")
                arr[~answered] = pd.NA
                out[opt] = arr
        else:
            out[it.id] = col.array
    return pd.DataFrame(out)


# ---------------------------------------------------------------- warehouse rules


def _bundled_towns_and_surveys() -> tuple[set[str], set[str]]:
    from tasks.sources.bundled import bundled_dir
    from tasks.territories import default_registry

    folder = bundled_dir()
    towns = {t.town_id for t in default_registry().towns}  # the one registry of towns
    surveys = set(pd.read_csv(folder / "surveys.csv", dtype=str)["survey_id"])
    return towns, surveys


def context_issues(con, survey_id: str, town_id: str, filename: str) -> list[Issue]:
    """Rules that need the warehouse: known town, wave id not an aggregate survey."""
    towns, bundled_surveys = _bundled_towns_and_surveys()
    towns |= {t for (t,) in con.execute("SELECT town_id FROM core.town").fetchall()}
    issues = []
    if town_id not in towns:
        issues.append(
            _issue(
                "known_town",
                f"{filename}: town {town_id!r} - {SURVEY_RULES['known_town']}; known: "
                f"{', '.join(sorted(towns))} [known_town]",
                filename=filename,
                column="town_id",
                obs=town_id,
            )
        )
    aggregate = survey_id in bundled_surveys or bool(
        con.execute(
            "SELECT count(*) FROM core.survey s WHERE survey_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM core.survey_wave w WHERE w.survey_id = s.survey_id)",
            [survey_id],
        ).fetchall()[0][0]  # fetched to the end: the connection goes on to register frames
    )
    if aggregate:
        issues.append(
            _issue(
                "wave_is_aggregate",
                f"{filename}: wave {survey_id!r} - {SURVEY_RULES['wave_is_aggregate']}; choose "
                f"another wave id (e.g. {survey_id}-microdata) [wave_is_aggregate]",
                filename=filename,
                column="survey_id",
                obs=survey_id,
            )
        )
    return issues


def synthetic_flag(path: Path, cb: Codebook, flag: bool | None) -> tuple[bool, str]:
    """Whether a file is synthetic, and why: ``--synthetic``, the file name, a metadata sidecar
    ``<stem>.meta.json`` with ``"synthetic": true``, or the codebook."""
    reasons = []
    if flag:
        reasons.append("command line --synthetic")
    if "synthetic" in path.name.lower():
        reasons.append(f"file name {path.name!r}")
    sidecar = path.with_name(path.stem + ".meta.json")
    if sidecar.is_file():
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        if isinstance(meta, dict) and meta.get("synthetic") is True:
            reasons.append(f"metadata {sidecar.name}")
    if cb.synthetic:
        reasons.append(f"codebook {cb.id}")
    return bool(reasons), "; ".join(reasons)


def default_period(survey_id: str) -> str | None:
    """The first 4-digit year in a wave id (``khromtau-2025`` -> ``2025``), else ``None``."""
    m = re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", survey_id)
    return m.group(0) if m else None
