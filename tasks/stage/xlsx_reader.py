"""XLSX into the stage: the first sheet through openpyxl's read-only (streaming) mode, in
batches, every cell as the text pandas' ``read_excel(dtype=str)`` gives."""

from __future__ import annotations

import openpyxl

from tasks.stage.database import Stage, insert_rows
from tasks.stage.errors import ReadError
from tasks.stage.sniff import Readable


def xlsx_cell(value) -> str:
    """A workbook cell as text, as pandas' ``read_excel(dtype=str)`` gives it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(stage: Stage, table: str, payload: Readable, filename: str) -> int:
    """Copy the first sheet into ``table`` (``c0..``), rows in order; returns the number of
    columns. A cell beyond the header's columns, or a workbook that cannot be opened, is a
    :class:`ReadError`."""
    try:
        with payload.open() as fh:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                it = sheet.iter_rows(values_only=True)
                header = next(it, ())
                n = max(len(header), sheet.max_column or 0)

                def rows():
                    yield ([xlsx_cell(v) for v in header] + [""] * n)[:n]
                    for row in it:
                        cells = [xlsx_cell(v) for v in row]
                        extra = [c for c in cells[n:] if c.strip()]
                        if extra:
                            raise ReadError(
                                f"{filename}: a row has cells beyond the header's {n} columns"
                            )
                        yield (cells + [""] * n)[:n]

                insert_rows(stage, table, n, rows())
            finally:
                book.close()
    except ReadError:
        raise
    except Exception as exc:  # a broken workbook can fail anywhere inside zip/openpyxl
        raise ReadError(
            f"{filename}: not a readable XLSX workbook ({type(exc).__name__}: {exc})"
        ) from None
    return n
