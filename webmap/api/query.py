"""Query parameters: each endpoint names the ones it takes; unknown or repeated ones are refused by name."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import request

from store.errors import ValidationError
from store.filters import IssueFilters
from store.validation import FieldErrors, Invalid

T = TypeVar("T")

FILTERS = ("bbox", "category", "status", "since", "until", "compound", "q")
LIST_VALUED = ("category", "status")  # ?category=a&category=b means category=a,b
EVERYWHERE = ("lang",)  # read by webmap.i18n


def parameters(allowed: tuple[str, ...]) -> tuple[dict[str, str], FieldErrors]:
    """This request's query parameters, and a problem filed for each unknown or repeated one.

    Check the values inside `refusals(errors)`, so one answer names every bad parameter.
    """
    errors = FieldErrors()
    values: dict[str, str] = {}
    for name in request.args:
        given = request.args.getlist(name)
        if name not in allowed and name not in EVERYWHERE:
            takes = ", ".join(allowed) if allowed else "no parameters"
            errors.add(name, f"unknown parameter; this endpoint takes {takes}")
        elif len(given) > 1 and name not in LIST_VALUED:
            errors.add(name, "given more than once")
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


def issue_filters(values: dict[str, str]) -> IssueFilters:
    """The filters among the parameters, as text: store.filters checks them."""
    return IssueFilters(**{name: values.get(name) for name in FILTERS})


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
    if not text.isdigit():
        raise Invalid("must be a whole number")
    value = int(text)
    if not minimum <= value <= maximum:
        raise Invalid(f"must be between {minimum} and {maximum}")
    return value
