"""Code a survey file against its codebook: headers to items, answers to codes.

:func:`code_file` reads a CSV/XLSX export, maps every column header to a codebook item
(:func:`resolve_headers`: item id, English or Russian label, alias, a one-item question's text,
or a form's ``Question [Item]`` header), codes every answer (:func:`code_column`: codes, keys,
labels, variants; case/space-insensitive) and validates the coded frame with the pandera schema
of :mod:`schemas.survey`. Every finding is an :class:`~tasks.parse.Issue`. Used by
:mod:`tasks.survey.importer`, which re-exports the public names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from schemas.survey import SURVEY_RULES, response_schema
from tasks.parse import Issue, ReadError, parse_number, read_table
from tasks.survey.codebook import Codebook, Item, normalize
from tasks.validate import schema_issues

SOURCE = "survey"
TABLE = "survey_response"
_SEPARATORS = re.compile(r"\s*[;|\n,]\s*")
_BRACKET = re.compile(r"\[([^\[\]]+)\]\s*$")


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
