"""Reading the CSV tables users give (a data split, a MOS database) with one-line errors."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError

__all__ = ["read_table"]


def read_table(table: Path, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with a header that holds ``columns``, each row's values stripped.

    Parameters
    ----------
    table : pathlib.Path
        The CSV file (UTF-8).
    columns : sequence of str
        The columns that must be in the header and non-empty in every row; other columns are
        kept.

    Returns
    -------
    list of (int, dict)
        Each row's line number and its values by column name.

    Raises
    ------
    InputError
        One line naming the file: not found or unreadable, not UTF-8 or CSV, no header, a
        missing column, or a row without a value for one of ``columns`` (with its line).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "split.csv"
    >>> _ = path.write_text("file,split\\na.png, train\\n", encoding="utf-8")
    >>> read_table(path, ["file", "split"])
    [(2, {'file': 'a.png', 'split': 'train'})]
    """
    expected = ",".join(columns)
    if not table.is_file():
        raise InputError(table, "not found")
    try:
        with open(table, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames
            if header is None:
                raise InputError(table, f"empty; expected the header {expected}")
            missing = [c for c in columns if c not in header]
            if missing:
                shown = ",".join(map(str, header))
                raise InputError(table, f"no column '{missing[0]}' in the header {shown}")
            rows = []
            for r in reader:
                blank = [c for c in columns if not (r.get(c) or "").strip()]
                if blank:
                    raise InputError(table, f"line {reader.line_num}: no value for '{blank[0]}'")
                rows.append((reader.line_num, {k: (v or "").strip() for k, v in r.items() if k}))
    except UnicodeDecodeError as exc:
        raise InputError(table, f"not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        raise InputError(table, f"not CSV text ({exc})") from None
    except OSError as exc:
        raise InputError(table, f"unreadable ({exc.strerror or exc})") from None
    return rows
