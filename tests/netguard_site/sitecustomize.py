"""Loaded at start-up by Python processes the watch tests start (their PYTHONPATH names this
folder): refuses and records any network reach outside 127.0.0.0/8 (see tests/netguard.py)."""
import os

if os.environ.get("TIDINGS_TEST_NETGUARD_LOG"):
    from netguard import NetGuard

    NetGuard.install(os.environ["TIDINGS_TEST_NETGUARD_LOG"]).active = True
