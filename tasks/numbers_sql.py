"""The ``analyst`` dialect of :mod:`tasks.numbers` as DuckDB SQL, for typing cells in the database.

The rules are those of :func:`tasks.numbers.analyst_number` (its docstring is the rule text);
these expressions are the same rules spelled in RE2 and ``TRY_CAST``, and
``tests/tasks/test_numbers_sql.py`` runs every case of the dialect's test table through both.

* :func:`strip_sql` -- Python's ``str.strip()`` (every Unicode whitespace character);
* :func:`analyst_number_sql` -- the cell's DOUBLE, NULL if missing *or* not a number;
* :func:`analyst_bad_sql` -- TRUE where the cell is not a number (``analyst_number`` gives
  ``None``), FALSE where it is a number or missing.

Every expression takes SQL text that evaluates to a VARCHAR (a quoted column name, a literal).
"""

from __future__ import annotations

from warehouse.sql import literal

# Characters Python's str.strip() removes (str.isspace()); RE2's \s is ASCII only.
_SPACE_CLASS = (
    r"[\t\n\x{0b}\x{0c}\r\x{1c}-\x{1f} \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
    r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
)
_MISSING_WORDS = ("nan", "na", "null")
# the patterns of tasks.numbers, ASCII digits only ([0-9], as Python's re.ASCII \d)
_NUM_PLAIN = r"^[+-]?[0-9]+([.,][0-9]+)?$"
_NUM_GROUPED = r"^[+-]?[0-9]{1,3}([ \x{a0}\x{202f}][0-9]{3})+([.,][0-9]+)?$"
_NUM_ENGLISH = r"^[+-]?[1-9][0-9]{0,2}(,[0-9]{3}\.[0-9]+|(,[0-9]{3}){2,}(\.[0-9]+)?)$"
_GROUP_SPACE = r"[ \x{a0}\x{202f}]"


def strip_sql(expr: str) -> str:
    """``expr`` without leading and trailing whitespace, as Python's ``str.strip()``."""
    pattern = f"^{_SPACE_CLASS}+|{_SPACE_CLASS}+$"
    return f"regexp_replace({expr}, {literal(pattern)}, '', 'g')"


def missing_sql(stripped: str) -> str:
    """TRUE where a stripped cell is a missing value (empty, NA, NaN, null; any case)."""
    words = ", ".join(literal(w) for w in _MISSING_WORDS)
    return f"({stripped} = '' OR lower({stripped}) IN ({words}))"


def _value_sql(t: str) -> str:
    english = f"TRY_CAST(replace({t}, ',', '') AS DOUBLE)"
    plain = (
        f"TRY_CAST(replace(regexp_replace({t}, {literal(_GROUP_SPACE)}, '', 'g'), ',', '.') "
        "AS DOUBLE)"
    )
    return (
        f"CASE WHEN regexp_full_match({t}, {literal(_NUM_ENGLISH[1:-1])}) THEN {english} "
        f"WHEN regexp_full_match({t}, {literal(_NUM_PLAIN[1:-1])}) "
        f"OR regexp_full_match({t}, {literal(_NUM_GROUPED[1:-1])}) THEN {plain} END"
    )


def analyst_number_sql(expr: str, *, stripped: bool = False) -> str:
    """DOUBLE of a cell by the ``analyst`` rules; NULL where missing or not a number.

    ``stripped=True`` when ``expr`` is already stripped (saves a regex per cell).
    """
    t = expr if stripped else strip_sql(expr)
    # plain unsigned numbers first: one cheap cast for the common cell
    return (
        f"CASE WHEN regexp_full_match({t}, '[0-9]{{1,15}}([.][0-9]{{1,15}})?') "
        f"THEN TRY_CAST({t} AS DOUBLE) ELSE {_value_sql(t)} END"
    )


def analyst_bad_sql(expr: str, *, stripped: bool = False) -> str:
    """TRUE where a cell is not a number by the ``analyst`` rules (NULL cells are missing)."""
    t = expr if stripped else strip_sql(expr)
    return (
        f"(coalesce({t}, '') <> '' AND NOT {missing_sql(t)} "
        f"AND ({analyst_number_sql(t, stripped=True)}) IS NULL)"
    )
