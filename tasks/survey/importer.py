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

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import numpy as np
import pandas as pd

from schemas.survey import SURVEY_RULES, response_schema
from tasks.load import record_issues, record_payloads, replace_results
from tasks.parse import Issue, ReadError, parse_number, read_table
from tasks.sources.base import Payload, archive_payload, utc_now
from tasks.survey.codebook import Codebook, Item, load_codebook, normalize
from tasks.validate import schema_issues
from warehouse.session import write_session
from warehouse.sql import ident, qualified

SOURCE = "survey"
TABLE = "survey_response"
KIND = "survey_response"
MAX_MESSAGES = 50
_SEPARATORS = re.compile(r"\s*[;|\n,]\s*")
_BRACKET = re.compile(r"\[([^\[\]]+)\]\s*$")


class ImportRefused(RuntimeError):
    """The file was refused (errors); nothing reached ``core``. ``issues`` lists every finding."""

    def __init__(self, message: str, issues: list[Issue]):
        super().__init__(message)
        self.issues = issues


@dataclass
class Coded:
    """A file read and coded against a codebook."""

    frame: pd.DataFrame  # index: data row (0 = file row 2); respondent column + item codes
    headers: dict[str, str]  # canonical column -> header as in the file
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        """Issues that block the import."""
        return [i for i in self.issues if i.severity == "error"]


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


# ---------------------------------------------------------------- coding


def _issue(check, message, *, filename, severity="error", column=None, obs=None):
    return Issue(
        SOURCE,
        TABLE,
        check,
        severity,
        message,
        file=filename,
        column_name=column,
        observed=obs,
    )


def resolve_headers(columns: list[str], cb: Codebook, filename: str):
    """Map file headers to canonical columns: ``({file header: column}, issues)``."""
    mapping: dict[str, str] = {}
    owner: dict[str, str] = {}
    issues: list[Issue] = []
    lookup = cb.header_lookup
    for col in columns:
        target = lookup.get(normalize(col))
        if target is None:
            m = _BRACKET.search(col)  # Google Forms grid: "Question text [Item label]"
            if m:
                target = lookup.get(normalize(m.group(1)))
        if target is None:
            issues.append(
                _issue(
                    "unknown_column",
                    f"{filename}: column {col!r} - {SURVEY_RULES['unknown_column']} "
                    "[unknown_column]",
                    filename=filename,
                    severity="warning",
                    column=col,
                    obs=col,
                )
            )
            continue
        if target == "":
            continue  # a known form-tool column (timestamp, e-mail, ...)
        if target in owner:
            issues.append(
                _issue(
                    "duplicate_column",
                    f"{filename}: columns {owner[target]!r} and {col!r} both name {target} - "
                    f"{SURVEY_RULES['duplicate_column']} [duplicate_column]",
                    filename=filename,
                    column=target,
                    obs=col,
                )
            )
            continue
        owner[target] = col
        mapping[col] = target
    if cb.respondent_column not in owner:
        issues.append(
            _issue(
                "respondent_column",
                f"{filename}: no respondent id column (expected {cb.respondent_column!r} or one "
                f"of {', '.join(map(repr, cb.respondent_aliases))}) - "
                f"{SURVEY_RULES['respondent_column']} [respondent_column]",
                filename=filename,
                column=cb.respondent_column,
            )
        )
    for it in cb.items:
        if it.required and it.id not in owner:
            issues.append(
                _issue(
                    "required_column",
                    f"{filename}: no column for required item {it.id} ({it.en} / {it.ru}) - "
                    f"{SURVEY_RULES['required_column']} [required_column]",
                    filename=filename,
                    column=it.id,
                )
            )
    return mapping, issues


def _multi_lookup(item: Item) -> list[tuple[str, int]]:
    """(normalised label, option index) pairs, longest label first (greedy matching)."""
    pairs = []
    for idx, a in enumerate(item.scale.answers):
        for t in {normalize(x) for x in (str(a.code), a.key, a.en, a.ru, *a.variants) if x}:
            pairs.append((t, idx))
    return sorted(pairs, key=lambda p: -len(p[0]))


def _code_multi(text: str, pairs: list[tuple[str, int]]):
    """Bit mask of the options named in ``text``, or ``None`` if a part matches no option."""
    t = normalize(text)
    pos, mask = 0, 0
    while pos < len(t):
        sep = _SEPARATORS.match(t, pos)
        if sep and sep.end() > pos:
            pos = sep.end()
            continue
        for label, idx in pairs:
            end = pos + len(label)
            if t.startswith(label, pos) and (end == len(t) or _SEPARATORS.match(t, end)):
                mask |= 1 << idx
                pos = end
                break
        else:
            return None
    return mask or None


def _code_cell(text: str, item: Item, pairs=None):
    if text == "":
        return pd.NA
    if item.multiple:
        mask = _code_multi(text, pairs)
        return text if mask is None else mask
    code = item.scale.lookup.get(normalize(text))
    if code is not None:
        return code
    num = parse_number(text)
    if num is not None and np.isfinite(num) and float(num).is_integer():
        return int(num)  # a number outside the scale: reported as answer_in_scale
    return text


def code_column(values: pd.Series, item: Item) -> pd.Series:
    """Codes of one item column: int code, ``NA`` for blank, the text itself if unmatched.

    Vectorised over distinct values (a form column has few), so a million rows cost one
    dictionary look-up each.
    """
    pairs = _multi_lookup(item) if item.multiple else None
    uniques = pd.unique(values.to_numpy(dtype=object))
    mapping = {u: _code_cell(u, item, pairs) for u in uniques}
    coded = values.map(mapping)
    if all(isinstance(v, (int, np.integer)) or v is pd.NA for v in mapping.values()):
        return coded.astype("Int64")
    return coded.astype(object)


def code_file(data: bytes, filename: str, cb: Codebook) -> Coded:
    """Read ``data`` and code it against ``cb``; structural problems and every bad cell are
    :class:`Issue` rows (validation by the pandera schema of :mod:`schemas.survey`)."""
    try:
        text = read_table(data, filename)
    except ReadError as exc:
        issue = _issue("readable", f"{exc} [readable]", filename=filename)
        return Coded(pd.DataFrame(), {}, [issue])
    mapping, issues = resolve_headers(list(text.columns), cb, filename)
    headers = {canon: col for col, canon in mapping.items()}
    if any(i.severity == "error" for i in issues):
        return Coded(pd.DataFrame(), headers, issues)
    text = text[list(mapping)].rename(columns=mapping)
    blank = text.eq("").all(axis=1)
    text = text[~blank]  # empty rows (spreadsheets keep them) are not respondents
    if text.empty:
        issues.append(
            _issue("no_rows", f"{filename}: {SURVEY_RULES['no_rows']} [no_rows]", filename=filename)
        )
        return Coded(pd.DataFrame(), headers, issues)
    rc = cb.respondent_column
    frame = pd.DataFrame(index=text.index)
    frame[rc] = text[rc].astype(object).where(text[rc].ne(""), pd.NA)
    present = [it for it in cb.items if it.id in text.columns]
    for it in present:
        frame[it.id] = code_column(text[it.id], it)
    schema = response_schema(
        [(it.id, it.scale.codes, it.required, it.multiple) for it in present], rc
    )
    found = schema_issues(
        frame, schema, severity="error", source=SOURCE, table=TABLE, filename=filename, key=(rc,)
    )
    explained = [_explain(i, frame, cb, headers, text, filename) for i in found]
    position = {c: j for j, c in enumerate(frame.columns)}
    issues += sorted(explained, key=lambda i: (i.file_row, position.get(i.column_name, 0)))
    return Coded(frame, headers, issues)


def _explain(issue: Issue, frame, cb: Codebook, headers, text, filename) -> Issue:
    """Rewrite a pandera finding as a message naming file, row, column, respondent and rule."""
    rc = cb.respondent_column
    col = issue.column_name or rc
    idx = (issue.file_row or 2) - 2
    header = headers.get(col, col)
    where_col = f"column {header!r}" + (f" ({col})" if header != col else "")
    raw = text.at[idx, col] if idx in text.index and col in text.columns else ""
    rid = frame.at[idx, rc] if idx in frame.index else None
    rid_txt = "(no id)" if rid is None or rid is pd.NA else str(rid)
    check = issue.check_name
    rule = SURVEY_RULES.get(check, check)
    item = cb.item.get(col)
    if check == "known_answer" and item is not None:
        how = ("options separated by ';' from " if item.multiple else "") + item.scale.describe()
        rule = f"{rule}; accepted: {how}"
    elif check == "answer_in_scale" and item is not None:
        rule = f"{rule} {item.scale.id}: {item.scale.describe()}"
    elif check == "unique_respondent":
        same = frame.index[frame[rc].eq(rid).fillna(False)]
        others = [str(i + 2) for i in same if i != idx]
        rule = f"{rule} (same id in row {', '.join(others)})"
    elif check == "required_answer" and item is not None:
        rule = f"{rule}: {item.question} {item.question_en} [{item.en}]"
    issue.observed = raw
    issue.row_key = None if rid_txt == "(no id)" else rid_txt
    shown = repr(raw) if raw != "" else "(empty)"
    issue.message = (
        f"{filename} row {issue.file_row}, {where_col}, respondent {rid_txt}: {shown} - "
        f"{rule} [{check}]"
    )
    return issue


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
