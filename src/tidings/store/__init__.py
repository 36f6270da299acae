"""The store stage: a DuckDB file, the one query layer over it, and its exports."""
from tidings.store.db import Store, StoreBusy, StoreError
from tidings.store.filters import Filters, QueryError, parse_filters

__all__ = ["Filters", "QueryError", "Store", "StoreBusy", "StoreError", "parse_filters"]
