"""The store stage: a DuckDB file and its exports."""
from tidings.store.db import Store, StoreError

__all__ = ["Store", "StoreError"]
