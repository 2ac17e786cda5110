"""Filters for money and dates, without Babel (which the Lambda zip would have to carry).

``{{ 1234.5 | money("EUR") }}`` -> ``€1,234.50``; ``{{ total | money("EUR", "fr") }}`` ->
``1 234,50 €``; ``{{ "2024-03-01T10:00:00Z" | date("%d/%m/%Y") }}`` -> ``01/03/2024``.
Bad input raises ``FilterError`` (a 422 naming the template line), never a silent empty string.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF", "CAD": "CA$", "AUD": "A$", "CNY": "CN¥",
           "INR": "₹", "BRL": "R$", "SEK": "kr", "NOK": "kr", "DKK": "kr", "PLN": "zł"}
ZERO_DECIMALS = frozenset({"JPY", "KRW", "CLP", "ISK", "VND"})
# locale: (thousands separator, decimal mark, symbol after the amount)
LOCALES = {"en": (",", ".", False), "fr": ("\u202f", ",", True), "de": (".", ",", True), "es": (".", ",", True),
           "it": (".", ",", True), "nl": (".", ",", False), "ch": ("'", ".", False)}
MAX_FORMAT = 200


class FilterError(ValueError):
    """A filter got a value it cannot format."""


def money(value: Any, currency: str = "EUR", locale: str = "en", digits: int | None = None) -> str:
    """An amount with its currency, rounded half-up to the currency's decimals."""
    if isinstance(value, bool):
        raise FilterError(f"money expects a number, got {value!r}")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise FilterError(f"money expects a number, got {str(value)[:40]!r}") from None
    if not amount.is_finite() or abs(amount) >= Decimal(10) ** 18:
        raise FilterError(f"money expects a finite amount below 10^18, got {str(value)[:40]!r}")
    code = str(currency).upper()
    if locale not in LOCALES:
        raise FilterError(f"money knows the locales {', '.join(LOCALES)}, not {locale!r}")
    places = digits if digits is not None else (0 if code in ZERO_DECIMALS else 2)
    if type(places) is not int or not 0 <= places <= 6:
        raise FilterError("money's digits is a whole number from 0 to 6")
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    thousands, mark, after = LOCALES[locale]
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    number = thousands.join(groups) + (mark + fraction if places else "")
    symbol = SYMBOLS.get(code, code)
    if after:
        return f"{sign}{number}\u00a0{symbol}"
    spacer = "\u00a0" if symbol.isalpha() else ""
    return f"{sign}{symbol}{spacer}{number}"


def _moment(value: Any) -> dt.datetime | dt.date:
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value, dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise FilterError(f"{value!r} is not a time in seconds since 1970") from None
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text or " " in text \
                else dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise FilterError(f"expected an ISO 8601 date or time, got {str(value)[:40]!r}")


def date(value: Any, format: str = "%Y-%m-%d") -> str:  # noqa: A002 - the filter's argument as templates write it
    """A date (or the date part of a time) formatted with strftime codes."""
    return _format(_moment(value), format)


def datetime(value: Any, format: str = "%Y-%m-%d %H:%M") -> str:  # noqa: A002
    """A time formatted with strftime codes; a plain date is midnight."""
    moment = _moment(value)
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day)
    return _format(moment, format)


def _format(moment: dt.date, pattern: Any) -> str:
    if not isinstance(pattern, str) or len(pattern) > MAX_FORMAT:
        raise FilterError(f"a date format is a string of at most {MAX_FORMAT} characters")
    return moment.strftime(pattern)


FILTERS = {"money": money, "date": date, "datetime": datetime}
