"""The two ways a store call can refuse: no such thing, or bad input (per field)."""
from __future__ import annotations


class StoreError(Exception):
    pass


class NotFound(StoreError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"no {what} {key!r}")
        self.what = what
        self.key = key


class ValidationError(StoreError):
    def __init__(self, field_errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in field_errors.items()))
        self.field_errors = dict(field_errors)
