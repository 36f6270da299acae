"""A Dask worker plugin for the tests: the worker process dies (os._exit, as in a crash or an
out-of-memory kill) the moment it starts a task whose key contains a given text. With a
marker file it dies only once in the whole cluster, whichever worker gets there first."""
import os

from distributed.diagnostics.plugin import WorkerPlugin


class CrashOnTask(WorkerPlugin):
    name = "tidings-test-crash"

    def __init__(self, key_part: str, once_marker: str | None = None):
        self.key_part = key_part
        self.once_marker = once_marker

    def transition(self, key, start, finish, **kwargs):
        if finish != "executing" or self.key_part not in str(key):
            return
        if self.once_marker is not None:
            try:
                os.close(os.open(self.once_marker, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                return
        os._exit(1)
