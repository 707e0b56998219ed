"""Import a respondent-level survey file (CSV/XLSX as form tools export it) into the warehouse.

Steps (:func:`import_file`):

1. **Archive** the file as received (``tasks.sources.base.archive_payload``), before parsing.
2. **Code** it (:func:`code_file`): map column headers to codebook items (item id, English or
   Russian label, alias, a one-item question's text, or a form's ``Question [Item]`` header),
   map every answer to its code (codes, keys, labels, variants; case/space-insensitive).
3. **Validate** the coded frame with the pandera schema of :mod:`schemas.survey` (respondent id
   present and unique, required answers, answers known and within the scale) plus warehouse
   rules (known town; the wave id is not one of the study's aggregate surveys). Every failure
   becomes a ``meta.quality_issue`` row naming file, row, column and rule.
4. **Load** in one write session (:func:`warehouse.session.write_session`: the single-writer
   lock, a staging copy published atomically, a ``survey_import`` run row): the wave
   replaces any earlier version of itself in ``core.survey_response`` (long format),
   ``core.survey_respondent``, ``core.survey_item``, ``core.survey_answer``, ``core.survey_wave``
   and ``core.survey``. A file with any error is refused: only the run, the payload and the
   issues are recorded; ``core`` is unchanged. Importing the same file again changes no core row.
5. **Analyse** (optional, default on): recompute the survey results tables
   (:mod:`tasks.survey.analyses`) in the same staging copy.

Plain functions; no Prefect.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import pandas as pd

from tasks.load import record_issues, record_payloads, replace_results
from tasks.parse import Issue
from tasks.sources.base import Payload, archive_payload, utc_now
from tasks.survey.codebook import Codebook, load_codebook
from tasks.survey.coding import (
    SOURCE,
    TABLE,
    Coded,
    code_column,
    code_file,
    resolve_headers,
)
from tasks.survey.wave import (
    answers_frame,
    context_issues,
    default_period,
    items_frame,
    synthetic_flag,
    wide_codes,
)
from warehouse.session import write_session
from warehouse.sql import ident, qualified

__all__ = [
    "KIND",
    "MAX_MESSAGES",
    "SOURCE",
    "TABLE",
    "Coded",
    "ImportRefused",
    "ImportResult",
    "answers_frame",
    "code_column",
    "code_file",
    "context_issues",
    "default_period",
    "import_file",
    "items_frame",
    "load_wave",
    "refusal_message",
    "resolve_headers",
    "synthetic_flag",
    "wide_codes",
]

KIND = "survey_response"
MAX_MESSAGES = 50


class ImportRefused(RuntimeError):
    """The file was refused (errors); nothing reached ``core``. ``issues`` lists every finding."""

    def __init__(self, message: str, issues: list[Issue]):
        super().__init__(message)
        self.issues = issues


@dataclass
class ImportResult:
    """What an import did."""

    run_id: str
    survey_id: str
    file: str
    status: str  # loaded | unchanged | refused
    synthetic: bool
    synthetic_reason: str
    respondents: int = 0
    responses: int = 0
    issues: list[Issue] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    payload_hash: str = ""
    archive_path: str = ""

    @property
    def errors(self) -> list[Issue]:
        """Blocking issues."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        """Recorded, non-blocking issues."""
        return [i for i in self.issues if i.severity == "warning"]


# ---------------------------------------------------------------- the import


def _same_wave(con, survey_id, payload_hash, cb, town_id, synthetic, period) -> bool:
    row = con.execute(
        "SELECT payload_hash, codebook_sha256, town_id, synthetic, period "
        "FROM core.survey_wave WHERE survey_id = ?",
        [survey_id],
    ).fetchone()
    return row is not None and tuple(row) == (payload_hash, cb.sha256, town_id, synthetic, period)


def load_wave(
    con,
    coded: Coded,
    cb: Codebook,
    *,
    survey_id,
    town_id,
    synthetic,
    reason,
    period,
    filename,
    payload_hash,
    run_id,
    now,
) -> dict[str, int]:
    """Replace wave ``survey_id`` in core (caller owns the transaction); return row counts."""
    present = [it for it in cb.items if it.id in coded.frame.columns]
    wide = wide_codes(coded, cb)
    answers = answers_frame(cb, present)
    items = items_frame(cb, present)
    respondents = pd.DataFrame(
        {
            "respondent_id": wide["respondent_id"],
            "file_row": (coded.frame.index.to_numpy() + 2).astype("int64"),
        }
    )
    for table in ("survey_response", "survey_respondent", "survey_item", "survey_answer"):
        con.execute(f"DELETE FROM {qualified('core.' + table)} WHERE survey_id = ?", [survey_id])
    con.register("_items", items)
    con.register("_answers", answers)
    con.register("_resp", respondents)
    con.register("_wide", wide)
    try:
        con.execute(
            "INSERT INTO core.survey_item SELECT ?, item, parent_item, question_id, question_en, "
            "question_ru, role, scale, scale_type, label_en, label_ru, required, position, "
            "composite FROM _items",
            [survey_id],
        )
        con.execute(
            "INSERT INTO core.survey_answer SELECT ?, item, value, answer, label_en, label_ru "
            "FROM _answers",
            [survey_id],
        )
        con.execute(
            "INSERT INTO core.survey_respondent SELECT ?, respondent_id, ?, file_row FROM _resp",
            [survey_id, town_id],
        )
        value_cols = [ident(c) for c in wide.columns if c != "respondent_id"]
        if value_cols:
            casts = ", ".join(f"CAST({c} AS BIGINT) AS {c}" for c in value_cols)
            # UNPIVOT drops blank (NULL) answers: a row per answered item
            con.execute(
                "INSERT INTO core.survey_response SELECT ?, ?, u.respondent_id, u.item, "
                "u.value::INTEGER, a.answer, a.label_en FROM (UNPIVOT (SELECT respondent_id, "
                f"{casts} FROM _wide) ON {', '.join(value_cols)} INTO NAME item VALUE value) u "
                "JOIN _answers a ON a.item = u.item AND a.value = u.value",
                [survey_id, town_id],
            )
    finally:
        for name in ("_items", "_answers", "_resp", "_wide"):
            con.unregister(name)
    n_resp = len(wide)
    n_rows = con.execute(
        "SELECT count(*) FROM core.survey_response WHERE survey_id = ?", [survey_id]
    ).fetchone()[0]
    description = f"{cb.title}; respondent-level import of {filename} (codebook {cb.id})"
    if synthetic:
        description = f"SYNTHETIC ({reason}). " + description
    con.execute(
        "INSERT INTO core.survey (survey_id, town_id, respondents, population, mode, synthetic, "
        "description, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (survey_id) DO UPDATE "
        "SET town_id = excluded.town_id, respondents = excluded.respondents, population = "
        "excluded.population, mode = excluded.mode, synthetic = excluded.synthetic, "
        "description = excluded.description, source = excluded.source",
        [
            survey_id,
            town_id,
            n_resp,
            cb.population or None,
            cb.mode or None,
            synthetic,
            description,
            f"survey import: {filename}",
        ],
    )
    con.execute("DELETE FROM core.survey_wave WHERE survey_id = ?", [survey_id])
    con.execute(
        "INSERT INTO core.survey_wave VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            survey_id,
            town_id,
            period,
            cb.id,
            cb.version,
            cb.sha256,
            filename,
            payload_hash,
            synthetic,
            reason or None,
            n_resp,
            n_rows,
            run_id,
            now,
        ],
    )
    return {"core.survey_respondent": n_resp, "core.survey_response": int(n_rows)}


def import_file(
    path: str | Path,
    *,
    codebook: str | Path | Codebook,
    survey_id: str,
    warehouse: str | Path,
    town_id: str | None = None,
    archive_dir: str | Path | None = None,
    synthetic: bool | None = None,
    period: str | None = None,
    lock_timeout: float = 30.0,
    analyse: bool = True,
) -> ImportResult:
    """Import one respondent-level file as wave ``survey_id``; see the module docstring.

    Raises :class:`ImportRefused` (after recording the run and its issues) when the file has
    errors, ``OSError`` when it cannot be read, :class:`warehouse.db.WarehouseBusy` when another
    writer holds the lock.
    """
    path = Path(path)
    cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    town_id = town_id or cb.town
    if not town_id:
        raise ValueError("no town: give --town or set `town` in the codebook")
    warehouse = Path(warehouse)
    archive = Path(archive_dir) if archive_dir else warehouse.parent / "raw"
    filename = PurePath(path).name
    data = path.read_bytes()
    is_synth, reason = synthetic_flag(path, cb, synthetic)
    period = period or default_period(survey_id)
    run_id = str(uuid.uuid4())
    started = utc_now()
    params = {
        "file": str(path),
        "codebook": cb.path or cb.id,
        "survey_id": survey_id,
        "town_id": town_id,
        "warehouse": str(warehouse),
        "archive_dir": str(archive),
        "synthetic": is_synth,
        "period": period,
    }
    payload = Payload.from_bytes(
        SOURCE,
        KIND,
        str(path.resolve()),
        data,
        meta={
            "file": filename,
            "codebook": cb.id,
            "codebook_sha256": cb.sha256,
            "survey_id": survey_id,
            "town_id": town_id,
            "synthetic": is_synth,
        },
        fetched_at=started,
    )
    stored = archive_payload(payload, archive)  # 1. raw first
    coded = code_file(data, filename, cb)  # 2-3. code and validate
    result = ImportResult(
        run_id=run_id,
        survey_id=survey_id,
        file=filename,
        status="refused",
        synthetic=is_synth,
        synthetic_reason=reason,
        payload_hash=payload.content_hash,
        archive_path=str(stored),
    )
    with write_session(
        warehouse,
        "survey_import",
        params,
        lock_timeout=lock_timeout,
        run_id=run_id,
        holder=f"survey import {run_id}",
        started_at=started,
    ) as session:
        counts: dict[str, int] = {}
        with session.transaction() as con:
            issues = coded.issues + context_issues(con, survey_id, town_id, filename)
            result.issues = issues
            errors = [i for i in issues if i.severity == "error"]
            record_payloads(con, [payload], {payload.content_hash: str(stored)}, run_id)
            record_issues(con, issues, run_id, started)
            if not errors:
                same = _same_wave(
                    con, survey_id, payload.content_hash, cb, town_id, is_synth, period
                )
                if not same:
                    counts = load_wave(
                        con,
                        coded,
                        cb,
                        survey_id=survey_id,
                        town_id=town_id,
                        synthetic=is_synth,
                        reason=reason,
                        period=period,
                        filename=filename,
                        payload_hash=payload.content_hash,
                        run_id=run_id,
                        now=started,
                    )
                result.status = "unchanged" if same else "loaded"
                row = con.execute(
                    "SELECT respondents, responses FROM core.survey_wave WHERE survey_id = ?",
                    [survey_id],
                ).fetchone()
                result.respondents, result.responses = int(row[0]), int(row[1])
        if errors:
            # published: the failed run row, the payload and the issues; core unchanged
            session.finish("failed", refusal_message(filename, errors), {})
        else:
            if analyse:
                from tasks.survey.analyses import run_survey_analyses

                frames = run_survey_analyses(str(session.staging))
                with session.transaction() as con:
                    counts.update(replace_results(con, frames))
            result.row_counts = counts
            session.finish("completed", f"wave {survey_id}: {result.status}", counts)
    if result.errors:
        raise ImportRefused(refusal_message(filename, result.errors), result.issues)
    return result


def refusal_message(filename: str, errors: list[Issue]) -> str:
    """The refusal text: every error (up to :data:`MAX_MESSAGES`), then what happened."""
    shown = "\n".join(f"  {i.message}" for i in errors[:MAX_MESSAGES])
    more = len(errors) - MAX_MESSAGES
    tail = f"\n  ... and {more} more (see meta.quality_issue)" if more > 0 else ""
    return (
        f"{filename}: {len(errors)} error(s); the file was refused and nothing was loaded into "
        f"core:\n{shown}{tail}"
    )
