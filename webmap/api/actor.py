"""Who is acting: the signed-in user (webmap.accounts); kept as the API's one import for it."""
from __future__ import annotations

from webmap.accounts import ANONYMOUS, current_actor

__all__ = ["ANONYMOUS", "current_actor"]
