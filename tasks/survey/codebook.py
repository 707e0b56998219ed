"""Survey codebooks: questions, items, answer scales and labels, read from YAML.

A codebook says which columns a respondent-level file has (one per *item*; a question such as
"evaluate nine areas" has nine items), which answers each item accepts, and the code each answer
is stored as. Answers are matched as codes (``3``), keys (``unchanged``) or labels in English or
Russian, plus listed variants, ignoring case, repeated whitespace, ``ё``/``е`` and dash style.
The format is documented in ``docs/survey.md``; the first codebook is
``tasks/survey/codebooks/khromtau_2024.yaml`` (the study's questionnaire).

Scale types:

``ordinal``  ordered answers with integer codes (higher = better); means, ranks, alpha apply.
``score``    whole numbers ``min..max`` (e.g. 1-10); labels optional.
``nominal``  unordered categories with integer codes.

An item with ``multiple: true`` (a checkbox question) takes several answers of a nominal scale
in one cell, separated by ``;``, ``|``, a line break or ``,`` (a label containing a comma is
still recognised); it is stored as one 0/1 item per option, named ``<item>.<answer key>``.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import yaml

SCALE_TYPES = ("ordinal", "score", "nominal")
ROLES = ("category", "perception", "support", "demographic", "assessment", "other")
BUNDLED_PACKAGE = "tasks.survey"


class CodebookError(ValueError):
    """The codebook file is missing or malformed; the message says where."""


_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES = re.compile(r"\s+")


def normalize(text: object) -> str:
    """Matching form of a label or header: case-folded, trimmed, single spaces, ``ё`` -> ``е``,
    dashes unified, surrounding quotes and a final full stop dropped."""
    t = str(text).replace("\u00a0", " ").replace("\ufeff", "")
    t = _DASHES.sub("-", t)
    t = _SPACES.sub(" ", t).strip().strip("\"'«»“”").strip()
    t = t.rstrip(".").strip().casefold().replace("ё", "е")
    return t


@dataclass(frozen=True)
class Answer:
    """One answer of a scale."""

    code: int
    key: str
    en: str
    ru: str
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scale:
    """An answer scale shared by items."""

    id: str
    type: str
    answers: tuple[Answer, ...]
    published: bool = True
    note: str = ""

    @cached_property
    def codes(self) -> tuple[int, ...]:
        """Allowed codes, in codebook order."""
        return tuple(a.code for a in self.answers)

    @cached_property
    def by_code(self) -> dict[int, Answer]:
        """Answer of each code."""
        return {a.code: a for a in self.answers}

    @cached_property
    def lookup(self) -> dict[str, int]:
        """Normalised code/key/label/variant -> code."""
        out: dict[str, int] = {}
        for a in self.answers:
            for text in (str(a.code), a.key, a.en, a.ru, *a.variants):
                if text:
                    out.setdefault(normalize(text), a.code)
        return out

    def describe(self) -> str:
        """Accepted answers in one line, for error messages."""
        if self.type == "score":
            return f"a whole number from {min(self.codes)} to {max(self.codes)}"
        shown = "; ".join(f"{a.code} = {a.en} / {a.ru}" for a in self.answers)
        return f"one of: {shown} (or the key, e.g. {self.answers[0].key!r})"


@dataclass(frozen=True)
class Item:
    """One column of the response file (one answer per respondent)."""

    id: str
    question: str  # question id, e.g. q4
    question_en: str
    question_ru: str
    role: str
    scale: Scale
    en: str
    ru: str
    required: bool = False
    multiple: bool = False
    aliases: tuple[str, ...] = ()
    position: int = 0

    @property
    def headers(self) -> tuple[str, ...]:
        """Column headers this item is recognised by (besides its id)."""
        return (self.id, self.en, self.ru, *self.aliases)

    def option_items(self) -> list[str]:
        """Stored item names of a multiple-choice item: ``<item>.<answer key>``."""
        return [f"{self.id}.{a.key}" for a in self.scale.answers]


@dataclass(frozen=True)
class Composite:
    """A multi-item scale (for reliability)."""

    id: str
    en: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Codebook:
    """A parsed, checked codebook."""

    id: str
    version: str
    title: str
    town: str | None
    synthetic: bool
    population: str
    mode: str
    source: str
    respondent_column: str
    respondent_aliases: tuple[str, ...]
    ignore_columns: tuple[str, ...]
    scales: dict[str, Scale]
    items: tuple[Item, ...]
    composites: tuple[Composite, ...]
    path: str = ""
    sha256: str = ""
    questions: tuple[dict, ...] = field(default=(), compare=False)

    @cached_property
    def item(self) -> dict[str, Item]:
        """Item by id."""
        return {i.id: i for i in self.items}

    @property
    def columns(self) -> list[str]:
        """Template columns: the respondent id, then every item in codebook order."""
        return [self.respondent_column, *(i.id for i in self.items)]

    @cached_property
    def header_lookup(self) -> dict[str, str]:
        """Normalised header -> item id (or the respondent column, or ``""`` for ignored)."""
        out: dict[str, str] = {}
        for h in self.ignore_columns:
            out[normalize(h)] = ""
        for h in (self.respondent_column, *self.respondent_aliases):
            out[normalize(h)] = self.respondent_column
        per_question: dict[str, list[Item]] = {}
        for it in self.items:
            per_question.setdefault(it.question, []).append(it)
        for group in per_question.values():  # a one-item question: its text is a header too
            if len(group) == 1:
                for h in (group[0].question_en, group[0].question_ru):
                    if h:
                        out.setdefault(normalize(h), group[0].id)
        for it in self.items:
            for h in it.headers:
                out[normalize(h)] = it.id
        return out

    def category_item(self) -> Item | None:
        """The item that splits respondents into groups (Table 3's business category)."""
        return next((i for i in self.items if i.role == "category"), None)


# ---------------------------------------------------------------- loading


def bundled_codebooks() -> dict[str, Path]:
    """Codebooks shipped with the package: name -> path."""
    folder = Path(str(resources.files(BUNDLED_PACKAGE) / "codebooks"))
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def resolve(name_or_path: str | Path) -> Path:
    """A codebook path from a path or the name of a bundled codebook."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    bundled = bundled_codebooks()
    if str(name_or_path) in bundled:
        return bundled[str(name_or_path)]
    raise CodebookError(
        f"codebook not found: {name_or_path} (neither a file nor a bundled codebook; "
        f"bundled: {', '.join(bundled) or 'none'})"
    )


def load_codebook(name_or_path: str | Path) -> Codebook:
    """Read and check a codebook (path or bundled name); :class:`CodebookError` if malformed."""
    path = resolve(name_or_path)
    raw = path.read_bytes()
    try:
        doc = yaml.safe_load(io.BytesIO(raw))
    except yaml.YAMLError as exc:
        raise CodebookError(f"{path.name}: not valid YAML ({exc})") from None
    return parse_codebook(doc, name=path.name, path=str(path), sha256=_sha(raw))


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _req(d: dict, key: str, where: str):
    if not isinstance(d, dict) or key not in d or d[key] in (None, ""):
        raise CodebookError(f"{where}: missing '{key}'")
    return d[key]


def _text(d: dict | str | None, lang: str) -> str:
    if isinstance(d, dict):
        return str(d.get(lang) or "")
    return str(d or "")


def _scale(sid: str, spec: dict, where: str) -> Scale:
    kind = _req(spec, "type", where)
    if kind not in SCALE_TYPES:
        raise CodebookError(f"{where}: type must be one of {', '.join(SCALE_TYPES)}, got {kind!r}")
    answers: list[Answer] = []
    if kind == "score":
        lo, hi = int(_req(spec, "min", where)), int(_req(spec, "max", where))
        if lo > hi:
            raise CodebookError(f"{where}: min {lo} > max {hi}")
        labels = spec.get("labels") or {}
        for code in range(lo, hi + 1):
            lab = labels.get(code) or labels.get(str(code)) or {}
            answers.append(Answer(code, str(code), _text(lab, "en"), _text(lab, "ru")))
    else:
        for j, a in enumerate(_req(spec, "answers", where)):
            w = f"{where}.answers[{j}]"
            try:
                code = int(_req(a, "code", w))
            except (TypeError, ValueError):
                raise CodebookError(f"{w}: code must be a whole number") from None
            answers.append(
                Answer(
                    code=code,
                    key=str(_req(a, "key", w)),
                    en=str(_req(a, "en", w)),
                    ru=str(a.get("ru") or ""),
                    variants=tuple(str(v) for v in a.get("variants") or ()),
                )
            )
    codes = [a.code for a in answers]
    if len(set(codes)) != len(codes):
        raise CodebookError(f"{where}: duplicate answer codes")
    keys = [a.key for a in answers]
    if len(set(keys)) != len(keys):
        raise CodebookError(f"{where}: duplicate answer keys")
    seen: dict[str, int] = {}
    for a in answers:
        for t in {normalize(x) for x in (str(a.code), a.key, a.en, a.ru, *a.variants) if x}:
            if t in seen and seen[t] != a.code:
                raise CodebookError(
                    f"{where}: label {t!r} is given for codes {seen[t]} and {a.code}"
                )
            seen[t] = a.code
    return Scale(
        id=sid,
        type=kind,
        answers=tuple(answers),
        published=bool(spec.get("published", True)),
        note=str(spec.get("note") or ""),
    )


def parse_codebook(doc: dict, *, name: str = "codebook", path: str = "", sha256: str = ""):
    """Build a :class:`Codebook` from the parsed YAML document, checking every reference."""
    if not isinstance(doc, dict):
        raise CodebookError(f"{name}: a codebook is a mapping with keys codebook, scales, ...")
    cid = str(_req(doc, "codebook", name))
    scales = {
        str(sid): _scale(str(sid), spec, f"{name}: scales.{sid}")
        for sid, spec in (_req(doc, "scales", name) or {}).items()
    }
    rid = doc.get("respondent_id") or {}
    items: list[Item] = []
    questions = []
    for qi, q in enumerate(_req(doc, "questions", name)):
        qw = f"{name}: questions[{qi}]"
        qid = str(_req(q, "id", qw))
        role = str(q.get("role") or "other")
        if role not in ROLES:
            raise CodebookError(f"{qw}: role must be one of {', '.join(ROLES)}, got {role!r}")
        text = q.get("text") or {}
        questions.append({"id": qid, "en": _text(text, "en"), "ru": _text(text, "ru")})
        for ii, it in enumerate(_req(q, "items", qw)):
            iw = f"{qw}.items[{ii}]"
            iid = str(_req(it, "item", iw))
            if not re.fullmatch(r"[a-z][a-z0-9_]*", iid):
                raise CodebookError(f"{iw}: item id {iid!r} must be lower_snake_case")
            sid = str(_req(it, "scale", iw))
            if sid not in scales:
                raise CodebookError(f"{iw}: unknown scale {sid!r}")
            multiple = bool(it.get("multiple", False))
            if multiple and scales[sid].type != "nominal":
                raise CodebookError(f"{iw}: a multiple-choice item needs a nominal scale")
            items.append(
                Item(
                    id=iid,
                    question=qid,
                    question_en=_text(text, "en"),
                    question_ru=_text(text, "ru"),
                    role=role,
                    scale=scales[sid],
                    en=str(it.get("en") or iid),
                    ru=str(it.get("ru") or ""),
                    required=bool(it.get("required", False)),
                    multiple=multiple,
                    aliases=tuple(str(a) for a in it.get("aliases") or ()),
                    position=len(items) + 1,
                )
            )
    ids = [i.id for i in items]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise CodebookError(f"{name}: duplicate item ids {', '.join(dup)}")
    if sum(i.role == "category" for i in items) > 1:
        raise CodebookError(f"{name}: at most one item may have role 'category'")
    composites = []
    for cid_, spec in (doc.get("composites") or {}).items():
        members = tuple(str(x) for x in _req(spec, "items", f"{name}: composites.{cid_}"))
        for m in members:
            if m not in ids:
                raise CodebookError(f"{name}: composites.{cid_}: unknown item {m!r}")
            it = items[ids.index(m)]
            if it.scale.type == "nominal":
                raise CodebookError(f"{name}: composites.{cid_}: {m!r} is nominal")
        composites.append(Composite(str(cid_), str(spec.get("en") or cid_), members))
    cb = Codebook(
        id=cid,
        version=str(doc.get("version") or "1"),
        title=str(doc.get("title") or cid),
        town=doc.get("town"),
        synthetic=bool(doc.get("synthetic", False)),
        population=str(doc.get("population") or ""),
        mode=str(doc.get("mode") or ""),
        source=str(doc.get("source") or "").strip(),
        respondent_column=str(rid.get("column") or "respondent_id"),
        respondent_aliases=tuple(str(a) for a in rid.get("aliases") or ()),
        ignore_columns=tuple(str(c) for c in doc.get("ignore_columns") or ()),
        scales=scales,
        items=tuple(items),
        composites=tuple(composites),
        path=path,
        sha256=sha256,
        questions=tuple(questions),
    )
    _check_headers(cb, name)
    return cb


def _check_headers(cb: Codebook, name: str) -> None:
    seen: dict[str, str] = {}
    owners = [(h, cb.respondent_column) for h in (cb.respondent_column, *cb.respondent_aliases)]
    owners += [(h, it.id) for it in cb.items for h in it.headers]
    for h, owner in owners:
        t = normalize(h)
        if t in seen and seen[t] != owner:
            raise CodebookError(f"{name}: column header {h!r} names both {seen[t]} and {owner}")
        seen[t] = owner


# ---------------------------------------------------------------- templates


def template_frame(cb: Codebook):
    """An empty frame with the codebook's columns (the blank template)."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=object) for c in cb.columns})


def codebook_rows(cb: Codebook) -> list[dict]:
    """One row per template column: question, item labels, accepted answers."""
    rows = [
        {
            "column": cb.respondent_column,
            "question": "",
            "label_en": "Respondent id (unique within the file)",
            "label_ru": "Идентификатор респондента (уникальный в файле)",
            "required": "yes",
            "answers": "any text",
        }
    ]
    for it in cb.items:
        answers = (
            f"{min(it.scale.codes)}..{max(it.scale.codes)}"
            if it.scale.type == "score"
            else " | ".join(f"{a.code} = {a.en} / {a.ru}" for a in it.scale.answers)
        )
        if it.multiple:
            answers = "several, separated by ';': " + answers
        rows.append(
            {
                "column": it.id,
                "question": f"{it.question}: {it.question_en}",
                "label_en": it.en,
                "label_ru": it.ru,
                "required": "yes" if it.required else "no",
                "answers": answers,
            }
        )
    return rows


def write_templates(cb: Codebook, folder: str | Path) -> list[Path]:
    """Write the blank CSV and XLSX templates of ``cb`` into ``folder``; return their paths.

    The CSV holds the header row only (UTF-8 with BOM, so Excel shows Cyrillic correctly). The
    XLSX has a ``responses`` sheet (first: the importer reads it) and a ``codebook`` sheet that
    lists every column's question and accepted answers. Output is byte-stable for a codebook.
    """
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Font

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"{cb.id}_template.csv"
    csv_path.write_bytes(("\ufeff" + ",".join(cb.columns) + "\n").encode("utf-8"))
    wb = Workbook()
    ws = wb.active
    ws.title = "responses"
    ws.append(cb.columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    info = wb.create_sheet("codebook")
    rows = codebook_rows(cb)
    header = list(rows[0])
    info.append(header)
    for r in rows:
        info.append([r[h] for h in header])
    for cell in info[1]:
        cell.font = Font(bold=True)
    fixed = dt.datetime(2024, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.title = f"{cb.title}: blank response template"
    wb.properties.subject = f"codebook {cb.id} v{cb.version}"
    xlsx_path = folder / f"{cb.id}_template.xlsx"
    wb.save(xlsx_path)
    return [csv_path, xlsx_path]
