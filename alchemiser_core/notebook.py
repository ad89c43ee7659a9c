"""Notebook support: the HTML tables behind ``_repr_html_`` and the frames behind ``to_frame()``.

pandas is imported only when a frame is asked for (``pip install 'alchemiser[notebook]'``);
nothing here does I/O. A frame's money and quantity columns hold the exact `Decimal`
values (object dtype), so ``frame["notional"].sum()`` is the plan's exact total; for a
plot, ``to_frame(as_float=True)`` gives float64 columns instead (rounded, for drawing
only, never for trading).

>>> print(html_table("T", ["symbol", "qty"], [["SPY", Decimal("1.5")]]))  # doctest: +ELLIPSIS
<div class="alchemiser">...<th>symbol</th><th>qty</th>...<td>SPY</td><td class="num">1.5</td>...
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from alchemiser_core.errors import InvalidInputError

__all__ = ["frame", "html_table", "is_pandas", "series_items"]

_STYLE = (
    "<style>.alchemiser table{border-collapse:collapse;margin:4px 0 8px 0}"
    ".alchemiser th,.alchemiser td{padding:2px 10px;border-bottom:1px solid #ddd;text-align:left}"
    ".alchemiser td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".alchemiser .sell{color:#b22222}.alchemiser .buy{color:#1a7f37}"
    ".alchemiser .bad{color:#b22222;font-weight:bold}.alchemiser .good{color:#1a7f37}"
    ".alchemiser caption{text-align:left;font-weight:bold;padding:4px 0}</style>"
)
#: Cell values given as (text, css class): a side, an outcome, a verdict.
Styled = tuple[str, str]


def html_table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[object]], footer: str = ""
) -> str:
    """A small, self-contained HTML table (escaped; numbers right-aligned)."""
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = "".join(f"<tr>{''.join(_cell(value) for value in row)}</tr>" for row in rows)
    foot = f"<p>{html.escape(footer)}</p>" if footer else ""
    return (
        f'<div class="alchemiser">{_STYLE}<table><caption>{html.escape(title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{foot}</div>"
    )


def _cell(value: object) -> str:
    if isinstance(value, tuple):
        text, css = value
        return f'<td class="{html.escape(css)}">{html.escape(str(text))}</td>'
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return f'<td class="num">{value}</td>'
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def frame(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    numeric: Iterable[str] = (),
    as_float: bool = False,
) -> Any:
    """A pandas DataFrame of `rows`; the `numeric` columns stay exact Decimals unless `as_float`."""
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("to_frame() needs pandas: pip install 'alchemiser[notebook]'") from None
    table = pandas.DataFrame([list(row) for row in rows], columns=list(columns), dtype=object)
    if as_float:
        for column in numeric:
            table[column] = pandas.to_numeric(
                table[column].map(lambda value: None if value is None else float(value))
            )
    return table


def is_pandas(value: object, kind: str) -> bool:
    """Is `value` a pandas object of class `kind` ("Series", "DataFrame"), without importing pandas?"""
    cls = type(value)
    return cls.__name__ == kind and cls.__module__.split(".")[0] == "pandas"


def series_items(value: Any, field: str) -> Mapping[object, object]:
    """A pandas Series as a plain mapping of index label to value; a repeated label is an
    error (a dict would keep only the last, silently)."""
    if not value.index.is_unique:
        repeated = sorted({str(label) for label in value.index[value.index.duplicated()]})
        raise InvalidInputError(field, "a Series with each symbol once", repeated)
    return dict(value.items())
