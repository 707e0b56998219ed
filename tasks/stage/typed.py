"""The SQL typing compiler: an input's text cells typed in the stage by its spec, every refused
cell reported.

Column kinds: ``str`` (the stripped text), ``number`` and ``int`` (the ``analyst`` number
dialect of :mod:`tasks.numbers_sql`), ``bool`` (``true/yes/1/да/y/t`` and
``false/no/0/нет/n/f``, any case).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import duckdb

from tasks.numbers_sql import analyst_number_sql, missing_sql
from tasks.stage.cells import strip_cell
from tasks.stage.database import Stage
from tasks.stage.raw import RawTable, execute_on
from warehouse.sql import ident, literal

TRUE = ("true", "yes", "1", "да", "y", "t")
FALSE = ("false", "no", "0", "нет", "n", "f")


def _in(expr: str, words: tuple[str, ...]) -> str:
    return f"{expr} IN ({', '.join(literal(w) for w in words)})"


@dataclass(frozen=True)
class CellFailure:
    """One cell the typing refused: file row, column, rule, the cell's text, the row's key."""

    row: int
    column: str
    check: str
    text: str
    key: str


def type_relation(
    stage: Stage,
    raw: RawTable,
    name: str,
    columns: dict[str, str],
    key: tuple[str, ...],
    required: tuple[str, ...],
    fill: dict[str, str] | None = None,
    normalise: dict[str, str] | None = None,
) -> list[CellFailure]:
    """Type ``raw`` into the table ``name`` of ``stage`` by ``columns`` (str | int | number |
    bool) and return every refused cell (required, type:number, type:int, type:bool), column by
    column in ``columns`` order, rows in file order.

    The typed table has ``_row`` (file row), one column per spec column (absent optional
    columns are empty), ``<col>__text`` beside each number column (the cell as written) and
    keeps the file's row order (its ``rowid`` is the position pandera's failure cases name).
    Fully empty rows are dropped (they still count for row numbers). ``fill`` gives SQL for an
    empty str cell (e.g. the indicator's unit); ``normalise`` SQL for every str cell of a column
    (after ``fill``), with ``<cell>`` standing for the cell (e.g. lower case and aliases).
    """
    position = {c: j for j, c in enumerate(raw.columns) if c}
    text = {c: (strip_cell(f"c{position[c]}") if c in position else "''") for c in columns}
    others = [j for c, j in position.items() if c not in columns]  # extra columns count too
    inner = ", ".join(
        [f"{text[c]} AS {ident(c + '__s')}" for c in columns]
        + [f"{strip_cell(f'c{j}')} AS _x{j}" for j in others]
    )
    any_cell = (
        " OR ".join(
            [f"{ident(c + '__s')} <> ''" for c in columns if c in position]
            + [f"_x{j} <> ''" for j in others]
        )
        or "false"
    )
    middle = ["_row"]  # the stripped texts, and each number cell parsed once
    outer = ["_row"]
    for col, kind in columns.items():
        s = ident(col + "__s")
        n = ident(col + "__n")
        middle.append(s)
        if kind in ("number", "int"):
            middle.append(f"({analyst_number_sql(s, stripped=True)}) AS {n}")
        if kind == "str":
            expr = s
            if fill and col in fill:
                expr = f"CASE WHEN {s} = '' THEN {fill[col]} ELSE {s} END"
            if normalise and col in normalise:
                expr = normalise[col].replace("<cell>", f"({expr})")
            outer.append(f"{expr} AS {ident(col)}")
        elif kind == "number":
            outer.append(f"{n} AS {ident(col)}")
            outer.append(f"{s} AS {ident(col + '__text')}")
        elif kind == "int":
            outer.append(
                f"TRY_CAST(CASE WHEN {n} = round({n}) THEN {n} END AS BIGINT) AS {ident(col)}"
            )
            outer.append(f"{s} AS {ident(col + '__text')}")
        elif kind == "bool":
            outer.append(f"{_in(f'lower({s})', TRUE)} AS {ident(col)}")
            outer.append(f"{s} AS {ident(col + '__text')}")
        else:  # pragma: no cover - spec typo
            raise ValueError(f"unknown column type {kind!r} for {name}.{col}")
    middle[0] = "_empty"
    outer[0] = "_empty"
    execute_on(  # a clean CSV is read here: its reading fallbacks apply
        stage.con,
        raw,
        lambda source: (
            f"CREATE OR REPLACE TABLE {ident(name + '__all')} AS SELECT {', '.join(outer)} "
            f"FROM (SELECT NOT ({any_cell}) AS _empty, {', '.join(middle[1:])} FROM "
            f"(SELECT {inner} FROM {source}))"
        ),
    )
    # the records in file order, the header first: a data row's file row is rowid + 1
    all_ = ident(name + "__all")
    (empty,) = stage.con.execute(
        f"SELECT count(*) FILTER (WHERE _empty) FROM {all_} WHERE rowid > 0"
    ).fetchall()[0]
    # pandera names failing rows by position: with no empty row, position p is file row p + 2
    relation = "VIEW" if not empty else "TABLE"
    for other in ("VIEW", "TABLE"):
        with contextlib.suppress(duckdb.Error):
            stage.con.execute(f"DROP {other} IF EXISTS {ident(name)}")
    stage.con.execute(
        f"CREATE {relation} {ident(name)} AS SELECT rowid + 1 AS _row, * EXCLUDE (_empty) "
        f"FROM {all_} WHERE rowid > 0{' AND NOT _empty' if empty else ''}"
    )
    stage.positions[name] = "row+2" if not empty else "rowid"
    # the refused cells: cheap predicates on the typed columns first, the regex only for them
    flags: list[tuple[str, str, str]] = []  # (column, check, SQL predicate)
    for col, kind in columns.items():
        c = ident(col)
        t = ident(col + "__text") if kind != "str" else c
        if col in required:
            flags.append((col, "required", f"{t} = ''"))
        if kind in ("number", "int"):
            bad = (
                f"({c} IS NULL AND {t} <> '' AND NOT {missing_sql(t)} AND "
                f"({analyst_number_sql(t, stripped=True)}) IS NULL)"
            )
            flags.append((col, "type:number", bad))
            if kind == "int":
                num = f"({analyst_number_sql(t, stripped=True)})"
                flags.append((col, "type:int", f"({c} IS NULL AND {num} <> round({num}))"))
        elif kind == "bool":
            flags.append(
                (col, "type:bool", f"NOT ({_in(f'lower({t})', TRUE + FALSE)} OR {t} = '')")
            )
    if not flags:
        return []
    key_text = (
        " || '|' || ".join(
            ident(k + ("__text" if columns.get(k, "str") != "str" else "")) for k in key
        )
        or "''"
    )
    texts = {col: ident(col + ("__text" if kind != "str" else "")) for col, kind in columns.items()}
    select = ", ".join(f"{p} AS f{i}" for i, (_, _, p) in enumerate(flags))
    cells = ", ".join(f"{texts[col]}" for col, _, _ in flags)
    where = " OR ".join(f"f{i}" for i in range(len(flags)))
    rows = stage.con.execute(
        f"SELECT * FROM (SELECT _row, {key_text} AS _key, {select}, {cells} FROM {ident(name)}) "
        f"WHERE {where} ORDER BY _row"
    ).fetchall()
    out: list[CellFailure] = []
    n = len(flags)
    for i, (col, check, _) in enumerate(flags):
        out += [CellFailure(r[0], col, check, r[2 + n + i], r[1]) for r in rows if r[2 + i]]
    return out
