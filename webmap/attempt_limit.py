"""A cap on failed sign-in attempts per client address, on the `limits` library (Flask-Limiter's core)."""
from __future__ import annotations

import math
import time

from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class AttemptLimit:
    def __init__(self, spec: str, storage_uri: str = "memory://"):
        self.limits = parse_many(spec)  # e.g. "10 per minute;50 per hour"
        self.window = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def retry_after(self, key: str) -> int | None:
        """Seconds until `key` may try again, or None if it may now."""
        waits = [
            self.window.get_window_stats(limit, key).reset_time - time.time()
            for limit in self.limits
            if not self.window.test(limit, key)
        ]
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, key: str) -> None:
        for limit in self.limits:
            self.window.hit(limit, key)
