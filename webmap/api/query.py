"""Query parameters: each endpoint names the ones it takes; unknown or repeated ones are refused by name."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import request

from store.errors import ValidationError
from store.filters import IssueFilters
from store.validation import FieldErrors, Invalid
from webmap.api.time_range import OUT_OF_RANGE, out_of_range

T = TypeVar("T")

FILTERS = ("bbox", "category", "status", "since", "until", "compound", "assignee", "q")
LIST_VALUED = ("category", "status")  # ?category=a&category=b means category=a,b
EVERYWHERE = ("lang",)  # read by webmap.i18n
TIMES = ("since", "until")
NUL = "\x00"  # PostgreSQL text cannot hold it


def parameters(allowed: tuple[str, ...]) -> tuple[dict[str, str], FieldErrors]:
    """This request's query parameters, and a problem filed for each unknown or repeated one.

    Check the values inside `refusals(errors)`, so one answer names every bad parameter.
    """
    errors = FieldErrors()
    values: dict[str, str] = {}
    for name in request.args:
        given = request.args.getlist(name)
        if all(value == "" for value in given) and name in allowed:
            continue  # `bbox=` from a cleared form field: the same as leaving it out
        if name not in allowed and name not in EVERYWHERE:
            takes = ", ".join(allowed) if allowed else "no parameters"
            errors.add(name, f"unknown parameter; this endpoint takes {takes}")
        elif len(given) > 1 and name not in LIST_VALUED:
            errors.add(name, "given more than once")
        elif any(NUL in value for value in given):
            errors.add(name, "contains a NUL character")
        else:
            values[name] = ",".join(given)
    return values, errors


def no_parameters() -> None:
    """Refuse any query parameter (but lang) by name."""
    parameters(())[1].raise_if_any()


@contextmanager
def refusals(errors: FieldErrors) -> Iterator[FieldErrors]:
    """Raise ValidationError at the end if any parameter is bad: those filed before, and any the block refuses."""
    try:
        yield errors
    except ValidationError as refused:
        for name, message in refused.field_errors.items():
            errors.add(name, message)
    errors.raise_if_any()


def issue_filters(values: dict[str, str], errors: FieldErrors) -> IssueFilters:
    """The filters among the parameters, as text for store.filters to check; a time it cannot handle is filed here."""
    chosen = {name: values.get(name) for name in FILTERS}
    for name in TIMES:
        if chosen[name] and out_of_range(chosen[name]):
            errors.add(name, OUT_OF_RANGE)
            chosen[name] = None
    return IssueFilters(**chosen)


def read(
    values: dict[str, str],
    errors: FieldErrors,
    name: str,
    parse: Callable[..., T],
    *,
    default: T | None = None,
    required: bool = False,
    **limits: Any,
) -> T | None:
    """One parameter parsed, its problem filed under its name; blank is absent."""
    raw = values.get(name, "").strip()
    if not raw:
        if required:
            errors.add(name, "required")
        return default
    return errors.check(name, parse, raw, **limits)


def whole_number(text: str, *, minimum: int, maximum: int) -> int:
    if not (text.isascii() and text.isdigit()):
        raise Invalid("must be a whole number")
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(maximum)):  # beyond the range, and Python refuses int() of 4,300+ digits
        raise Invalid(f"must be between {minimum} and {maximum}")
    value = int(digits)
    if not minimum <= value <= maximum:
        raise Invalid(f"must be between {minimum} and {maximum}")
    return value
