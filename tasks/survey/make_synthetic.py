"""Generate the SYNTHETIC example wave ``examples/khromtau_synthetic_wave.csv`` (fixed seed).

The study publishes aggregates only (Tables 3, 4 and 7); no respondent-level data exist. This
script makes a respondent-level file whose margins equal those tables *exactly*: 50 respondents
(20 small / 20 medium / 10 big business), each perception item's answer counts equal to its
Table 4 row, each support measure's score counts equal to its Table 7 column. Answers are
assigned to respondents by an independent seeded permutation per item, so every association
*between* items in this file is noise: it demonstrates the import and the analyses, and says
nothing about Khromtau. Questions the study does not tabulate (gender, age, 5, 6, 7, 9, 10) are
left blank.

The margins are read from the bundled aggregates (``tasks/studies/khromtau_2024/data/``), so
the file cannot drift from them. Marked synthetic three ways: the file name, the respondent ids
(``SYN-001`` ...) and the metadata sidecar ``khromtau_synthetic_wave.meta.json``.

Usage: ``.venv/bin/python -m tasks.survey.make_synthetic [OUT_DIR]`` (default: ``examples/``
next to this file). Also writes the blank templates into ``templates/``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from tasks.sources.bundled import bundled_dir
from tasks.survey.codebook import Codebook, load_codebook, write_templates

SEED = 20240050
CODEBOOK = "khromtau_2024"
NAME = "khromtau_synthetic_wave"
HERE = Path(__file__).resolve().parent


def _repeat(values: list, counts: list[int]) -> list:
    return [v for v, c in zip(values, counts, strict=True) for _ in range(int(c))]


def synthetic_wave(cb: Codebook | None = None, seed: int = SEED) -> pd.DataFrame:
    """The synthetic respondent-level frame (answers as English labels, scores as numbers)."""
    cb = cb or load_codebook(CODEBOOK)
    data = bundled_dir()
    cats = pd.read_csv(data / "survey_respondents.csv")
    perc = pd.read_csv(data / "survey_perception.csv")
    supp = pd.read_csv(data / "survey_support_scores.csv")
    rng = np.random.default_rng(seed)
    n = int(cats["respondents"].sum())
    out = pd.DataFrame({cb.respondent_column: [f"SYN-{i:03d}" for i in range(1, n + 1)]})
    for it in cb.items:
        out[it.id] = ""
    by_key = {a.key: a for a in cb.scales["business_category"].answers}
    values = _repeat([by_key[c].en for c in cats["category"]], cats["respondents"].tolist())
    out[cb.category_item().id] = rng.permutation(np.array(values, dtype=object))
    for it in cb.items:
        if it.role == "perception":
            rows = perc[perc["area"] == it.id].set_index("answer")["respondents"]
            labels = [a.en for a in it.scale.answers]
            counts = [int(rows.get(a.key, 0)) for a in it.scale.answers]
        elif it.role == "support":
            rows = supp[supp["measure"] == it.id].set_index("score")["respondents"]
            labels = [str(a.code) for a in it.scale.answers]
            counts = [int(rows.get(a.code, 0)) for a in it.scale.answers]
        else:
            continue
        if sum(counts) != n:
            raise ValueError(f"{it.id}: bundled counts add up to {sum(counts)}, not {n}")
        out[it.id] = rng.permutation(np.array(_repeat(labels, counts), dtype=object))
    return out


def metadata(seed: int = SEED) -> dict:
    """The sidecar describing the synthetic file."""
    return {
        "synthetic": True,
        "description": (
            "SYNTHETIC respondent-level wave for the Khromtau survey: margins equal the study's "
            "Tables 3, 4 and 7 exactly; answers assigned to respondents by independent seeded "
            "permutations, so relations between items are noise. Not survey data."
        ),
        "generator": "tasks/survey/make_synthetic.py",
        "seed": seed,
        "codebook": CODEBOOK,
        "margins": {
            "Table 3": "survey_respondents.csv",
            "Table 4": "survey_perception.csv",
            "Table 7": "survey_support_scores.csv",
        },
        "suggested_wave_id": "khromtau-2024-synthetic",
    }


def write(out_dir: str | Path | None = None, templates_dir: str | Path | None = None):
    """Write the example CSV, its metadata sidecar and the blank templates; return paths."""
    cb = load_codebook(CODEBOOK)
    out_dir = Path(out_dir) if out_dir else HERE / "examples"
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / f"{NAME}.csv"
    synthetic_wave(cb).to_csv(csv_path, index=False, lineterminator="\n")
    meta_path = out_dir / f"{NAME}.meta.json"
    meta_path.write_text(json.dumps(metadata(), indent=1, ensure_ascii=False) + "\n", "utf-8")
    templates = write_templates(cb, templates_dir or HERE / "templates")
    return [csv_path, meta_path, *templates]


if __name__ == "__main__":  # pragma: no cover
    for p in write(sys.argv[1] if len(sys.argv) > 1 else None):
        print(p)
