"""Event coding: who did what to whom, in CAMEO and PLOVER, with evidence."""
from __future__ import annotations

from tidings.coding.events import code_events
from tidings.coding.explain import explain_event

__all__ = ["code_events", "explain_event"]
