"""Scale-out on Dask: annotation and coding on workers, everything else in the writing process.

`tidings add` works batch by batch (`process.py`). The expensive step of a batch, the
spaCy parse, the annotate layers, event coding, the MinHash signature and the story
features (`annotate_batch`), is a plain function of `Article` records that returns records, so it
runs alike here (`LocalAnnotator`) or as a Dask task on another process or machine
(`DaskAnnotator`). Dedup, story clustering, fusion and the store stay in the one writing
process and take the results in input order, so N workers write the same database as one.

Dask does the distributing: no queue, scheduler or RPC of our own. The writing process
keeps at most `in_flight` batches submitted (back-pressure: memory stays flat however long
the input). A worker that dies is replaced and its task rerun by Dask; a batch whose task
keeps killing workers (`KilledWorker`) is retried one article at a time, so only the
article that kills workers is lost, and it is reported by name.

Each worker loads the spaCy model once (`nlp.pipeline.load_nlp` is cached per process);
workers need only `pip install tidings` of the same version.
"""
from __future__ import annotations

import itertools
import os
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from tidings.nlp.places_home import Home, OutletHomes
from tidings.records import AnnotatedArticle, Article

if TYPE_CHECKING:
    from tidings.stories.features import StoryFeatures

T = TypeVar("T")

LOCAL = "local"                  # `--dask local`: start a LocalCluster on this machine
CONNECT_TIMEOUT = "10s"          # to reach a scheduler given by address (Dask retries within it)
WORKER_WAIT_SECONDS = 60         # for the first worker of a scheduler given by address
# Left to itself, `add` starts a local cluster only for an input longer than this: starting
# one and loading the model on each worker takes several seconds (docs/scaling.md), which
# fewer articles would not win back.
AUTO_MIN_ARTICLES = 256
# A local cluster listens on 127.0.0.1 only, its scheduler's web endpoints on a free port
# (not 8787, which another cluster may hold), without the dashboard.
LOCAL_ONLY = {"dashboard_address": None,
              "scheduler_kwargs": {"dashboard": False, "dashboard_address": "127.0.0.1:0"}}


WORKER_CONFIG = {"distributed.worker.profile.enabled": False}


class DistributedError(RuntimeError):
    """A cluster cannot be started or reached, or its workers cannot run Tidings."""


@dataclass
class BatchResult:
    """What the writing process gets back for a batch: the annotated articles in input
    order, with their MinHash signatures and story features (everything about an article
    that needs no other article), and one line per article that could not be annotated."""

    annotated: list[AnnotatedArticle] = field(default_factory=list)
    signatures: list[bytes] = field(default_factory=list)
    features: list[StoryFeatures] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def extend(self, other: "BatchResult") -> None:
        self.annotated += other.annotated
        self.signatures += other.signatures
        self.features += other.features
        self.errors += other.errors


@dataclass
class BatchWork:
    """A batch as it goes to annotation: its articles, and what the writing process knows
    that annotation reads: each outlet's home as learned up to this batch, and whether
    story features carry sentence embeddings."""

    articles: list[Article]
    homes: dict[str, Home | None] = field(default_factory=dict)
    embeddings: bool = False


class KnownHomes(OutletHomes):
    """Outlet homes as the writing process learned them, in input order, before sending
    the batch: annotation reads them here and learns nothing more, so where a batch is
    annotated cannot change what it is told."""

    def __init__(self, homes: dict[str, Home | None]):
        super().__init__()
        self.known = homes

    def learn(self, outlet: str | None, text: str, gaz: object = None) -> None:
        pass  # learned already, by the writing process (process._Admission)

    def home_of(self, outlet: str | None) -> Home | None:
        return self.known.get(outlet or "")


def annotate_batch(work: BatchWork) -> BatchResult:
    """The per-article work of `tidings add` for one batch, wherever it runs.

    Sentences and keywords only feed the story features, so they stay here: what goes back
    to the writing process is what it stores and compares. The batch runs in a spaCy memory
    zone, so the strings its texts add to the vocabulary are dropped after it and a
    long-running worker does not grow (records hold plain Python strings)."""
    from tidings.analysis import annotate_articles
    from tidings.ingest.dedup import signature
    from tidings.nlp.pipeline import load_nlp
    from tidings.stories import features_of

    result = BatchResult()
    with load_nlp().memory_zone():
        result.annotated = list(annotate_articles(work.articles, homes=KnownHomes(work.homes),
                                                  on_error=result.errors.append))
    result.signatures = [signature(a.article.text) for a in result.annotated]
    result.features = [features_of(a, embeddings=work.embeddings) for a in result.annotated]
    for a in result.annotated:
        a.sentences, a.keywords = [], []
    return result


class Annotator(Protocol):
    def map(self, batches: Iterable[tuple[T, BatchWork]]) -> Iterator[tuple[T, BatchResult]]:
        """(tag, result) for each (tag, work), in the order given."""
        ...


class LocalAnnotator:
    """Annotation in the calling process, one batch at a time."""

    def map(self, batches: Iterable[tuple[T, BatchWork]]) -> Iterator[tuple[T, BatchResult]]:
        for tag, work in batches:
            yield tag, annotate_batch(work) if work.articles else BatchResult()


def _label(article: Article) -> str:
    return article.url or article.id


class DaskAnnotator:
    """Annotation as Dask tasks, one per batch, at most `in_flight` batches at a time."""

    def __init__(self, client: Any, in_flight: int | None = None):
        self.client = client
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        # one batch running and one queued per worker keeps them busy while the writer writes
        self.in_flight = in_flight or 2 * workers + 1

    def _submit(self, work: BatchWork) -> Any:
        # the key names the first article, so a crash report in Dask's logs can be traced
        key = f"tidings-annotate-{work.articles[0].id}-{len(work.articles)}-{uuid.uuid4().hex[:8]}"
        return self.client.submit(annotate_batch, work, key=key, pure=False)

    def map(self, batches: Iterable[tuple[T, BatchWork]]) -> Iterator[tuple[T, BatchResult]]:
        source = iter(batches)
        window: deque[tuple[T, BatchWork, Any]] = deque()

        def top_up() -> None:
            while len(window) < self.in_flight:
                item = next(source, None)
                if item is None:
                    return
                tag, work = item
                window.append((tag, work, self._submit(work) if work.articles else None))

        try:
            top_up()
            while window:
                tag, work, future = window.popleft()
                result = self._collect(work, future)
                top_up()
                yield tag, result
        finally:  # stopped early (an error, Ctrl-C): nothing keeps running for us
            self.client.cancel([f for _, _, f in window if f is not None])

    def _collect(self, work: BatchWork, future: Any) -> BatchResult:
        from distributed import KilledWorker

        if future is None:
            return BatchResult()
        try:
            return future.result()
        except KilledWorker:
            return self._one_by_one(work)
        finally:
            future.release()

    def _one_by_one(self, work: BatchWork) -> BatchResult:
        """A batch whose task kept killing workers, retried one article at a time, so that
        no other article of it shares a worker with the one that kills them. An article
        is given up only when its own task kills workers twice over (Dask's
        `allowed-failures` each time): a task that was only queued beside a crashing one
        gets a second chance."""
        from distributed import KilledWorker

        result = BatchResult()
        for article in work.articles:
            for attempt in (1, 2):
                future = self._submit(replace(work, articles=[article]))
                try:
                    result.extend(future.result())
                    break
                except KilledWorker:
                    if attempt == 2:
                        result.errors.append(f"{_label(article)}: not annotated: it crashed every worker that "
                                             "tried it")
                finally:
                    future.release()
        return result


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def choose_workers(articles: Iterable[Article], dask: str | None = None,
                   stdin: bool = False) -> tuple[int, Iterator[Article]]:
    """How many annotating processes `add` uses when not told: one per core, but only one (this
    process) when no cluster is asked for and the input holds at most AUTO_MIN_ARTICLES
    articles. Reads that many ahead to tell; the articles are handed on unchanged. Input
    from stdin may be a live stream, where reading ahead would hold back what came: one."""
    if dask is not None:
        return cores(), iter(articles)
    if stdin:
        return 1, iter(articles)
    stream = iter(articles)
    head = list(itertools.islice(stream, AUTO_MIN_ARTICLES + 1))
    return (cores() if len(head) > AUTO_MIN_ARTICLES else 1), itertools.chain(head, stream)


def _reason(e: BaseException) -> str:
    """An exception as one line."""
    return " ".join(f"{type(e).__name__}: {e}".split())


def _worker_version() -> str:
    import tidings

    return tidings.__version__


def _check_workers(client: Any, where: str) -> None:
    """Every worker runs the same Tidings as this process, or a clear error."""
    import tidings

    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
    except Exception as e:  # noqa: BLE001 - Dask raises TimeoutError or its own errors
        raise DistributedError(f"{where}: no Dask worker joined within {WORKER_WAIT_SECONDS}s ({_reason(e)})") from e
    try:
        versions = client.run(_worker_version)
    except Exception as e:  # noqa: BLE001 - a worker without tidings fails to unpickle the call
        raise DistributedError(f"{where}: the workers cannot run Tidings ({_reason(e)}); "
                               "install it on every worker: pip install tidings") from e
    wrong = sorted(w for w, v in versions.items() if v != tidings.__version__)
    if wrong:
        raise DistributedError(f"{where}: workers {', '.join(wrong)} run another Tidings version than "
                               f"{tidings.__version__}")


@contextmanager
def open_annotator(workers: int = 1, dask: str | None = None) -> Iterator[Annotator]:
    """The annotator `tidings add --workers N --dask ADDRESS` asks for.

    Without `dask`, one worker means this process and N > 1 a LocalCluster of N worker
    processes; `dask="local"` is a LocalCluster of `workers` processes (default: one per
    core); any other `dask` is the address of a running scheduler."""
    if dask is None and workers <= 1:
        yield LocalAnnotator()
        return
    import logging

    from dask import config as dask_config
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if dask is None or dask == LOCAL:
            where = "local Dask cluster"
            # Dask's sampling profiler wakes every 10 ms in each worker: CPU taken from annotation
            with dask_config.set(WORKER_CONFIG):
                cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                       host="127.0.0.1", silence_logs=logging.ERROR, **LOCAL_ONLY)
            client = Client(cluster)
        else:
            where = f"Dask scheduler {dask}"
            client = Client(dask, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as e:
        if cluster is not None:
            cluster.close()
        raise DistributedError(f"{where}: cannot start or reach it ({_reason(e)})") from e
    try:
        _check_workers(client, where)
        yield DaskAnnotator(client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
