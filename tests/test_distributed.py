"""`tidings add` on Dask: real LocalClusters on 127.0.0.1, the real spaCy model on every
worker, real DuckDB files. N workers must write exactly the database one process writes."""
import json
import os
import subprocess
import sys
import textwrap
import time

import dask
import pytest
from conftest import ROOT, dump_db
from distributed import Client, LocalCluster
from news_stream import add_file, articles, stream  # noqa: F401 - stream is a fixture
from worker_crash import CrashOnTask

from tidings.distributed import AUTO_MIN_ARTICLES, LOCAL_ONLY, DaskAnnotator, choose_workers, cores
from tidings.ingest import read_paths
from tidings.process import add_articles
from tidings.records import Article
from tidings.store import Store

BATCH = 2  # small batches: many in flight at once, repeats admitted while their original is out


def tidings(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "tidings", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"tidings {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc


def local_cluster(workers: int = 2) -> LocalCluster:
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", **LOCAL_ONLY)


def run_add(db, source, **options) -> list[str]:
    return add_file(db, source, batch_size=BATCH, **options)[1]


@pytest.fixture(scope="module")
def serial(stream, tmp_path_factory):
    """The database one process writes."""
    db = tmp_path_factory.mktemp("serial") / "serial.duckdb"
    assert run_add(db, stream) == []
    return dump_db(db)


@pytest.fixture(scope="module")
def cluster():
    with local_cluster() as c:
        yield c


def test_two_workers_write_the_database_one_process_writes(stream, serial, tmp_path):
    db = tmp_path / "two.duckdb"
    proc = tidings("add", "--db", db, "--batch-size", BATCH, "--workers", 2, stream)
    assert "added" in proc.stderr and "Traceback" not in proc.stderr
    assert dump_db(db) == serial


def test_a_running_scheduler_by_address(stream, serial, cluster, tmp_path):
    db = tmp_path / "remote.duckdb"
    tidings("add", "--db", db, "--batch-size", BATCH, "--dask", cluster.scheduler_address, stream)
    assert dump_db(db) == serial


def test_articles_in_flight_are_bounded(stream, serial, cluster, tmp_path):
    """The writing process reads ahead only as far as the window of batches it keeps submitted,
    and does read ahead (the workers get work while it writes)."""
    read = written = 0
    lead: list[int] = []

    def counted(source):
        nonlocal read
        for a in read_paths([str(source)], print):
            read += 1
            yield a

    def progress(n):
        nonlocal written
        written += n
        lead.append(read - written)

    with Client(cluster) as client, Store(tmp_path / "t.duckdb") as store:
        annotator = DaskAnnotator(client, in_flight=3)
        add_articles(store, counted(stream), batch_size=BATCH, annotator=annotator, on_progress=progress)
    assert written == len(articles())
    assert max(lead) <= 3 * BATCH and max(lead) > BATCH
    assert dump_db(tmp_path / "t.duckdb") == serial


def test_a_worker_that_dies_mid_batch_loses_nothing(stream, serial, tmp_path):
    marker = tmp_path / "crashed-once"
    with local_cluster() as c, Client(c) as client:
        client.register_plugin(CrashOnTask("tidings-annotate", once_marker=str(marker)))
        errors = run_add(tmp_path / "t.duckdb", stream, annotator=DaskAnnotator(client))
    assert marker.exists()  # a worker did die, holding a batch
    assert errors == []
    assert dump_db(tmp_path / "t.duckdb") == serial


def test_an_article_that_kills_every_worker_is_reported_and_the_rest_stored(stream, tmp_path):
    records = articles()
    poison = records[4]  # first of its batch, so the batch's task key names it
    poison_id = Article.from_text(poison["text"]).id
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with local_cluster() as c, Client(c) as client:
            client.register_plugin(CrashOnTask(poison_id))
            errors = run_add(tmp_path / "t.duckdb", stream, annotator=DaskAnnotator(client))
    assert len(errors) == 1 and poison["url"] in errors[0] and "crashed every worker" in errors[0]
    got, expected = tmp_path / "t.duckdb", tmp_path / "without.duckdb"
    run_add(expected, stream, exclude={poison["id"]})
    # Outlet homes learn from every article read, before annotation (as in one process):
    # the lost article counts for its outlet there, and nowhere else.
    read = {db: _state(db, "outlet_homes")["articles"] for db in (got, expected)}
    assert read[got] == {**read[expected], poison["outlet"]: read[expected][poison["outlet"]] + 1}
    assert _without_state(dump_db(got), "outlet_homes") == _without_state(dump_db(expected), "outlet_homes")


def _state(db, key: str):
    with Store(db, read_only=True) as store:
        return store.get_state(key)


def _without_state(dump: dict, key: str) -> dict:
    return {**dump, "state": [row for row in dump["state"] if not row.startswith(f"('{key}'")]}


KILLED_WRITER = textwrap.dedent("""
    import json, os, sys
    from tidings.distributed import open_annotator
    from tidings.ingest import read_paths
    from tidings.process import add_articles
    from tidings.store import Store

    def killed_after(articles, n, annotator):
        for i, a in enumerate(articles):
            if i == n:
                pids = annotator.client.run(os.getpid)
                with open(sys.argv[3], "w") as f:
                    json.dump(list(pids.values()), f)
                os._exit(137)  # like a SIGKILL: no cleanup, the open transaction is never committed
            yield a

    if __name__ == "__main__":
        with Store(sys.argv[1]) as store, open_annotator(2) as annotator:
            add_articles(store, killed_after(read_paths([sys.argv[2]], print), 14, annotator), batch_size=2,
                         annotator=annotator)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_writer_leaves_no_workers_and_resumes_to_the_same_database(stream, serial, tmp_path):
    script, pids_file, db = tmp_path / "killed.py", tmp_path / "pids.json", tmp_path / "t.duckdb"
    script.write_text(KILLED_WRITER)
    proc = subprocess.run([sys.executable, str(script), str(db), str(stream), str(pids_file)],
                          capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert proc.returncode == 137, proc.stderr[-3000:]
    partial = dump_db(db)
    assert 0 < len(partial["articles"]) < len(serial["articles"])
    pids = json.loads(pids_file.read_text())
    deadline = time.monotonic() + 60
    while any(map(_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(map(_alive, pids)), "worker processes outlived their killed writer"
    tidings("add", "--db", db, "--batch-size", BATCH, "--workers", 2, stream)
    assert dump_db(db) == serial


def test_an_unreachable_scheduler_is_one_clear_line(stream, tmp_path):
    proc = tidings("add", "--db", tmp_path / "t.duckdb", "--dask", "tcp://127.0.0.1:9", stream, check=False)
    assert proc.returncode == 2
    assert "tcp://127.0.0.1:9" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_default_workers_start_a_cluster_only_for_long_inputs():
    short = [Article.from_text(f"Short item number {i}.") for i in range(AUTO_MIN_ARTICLES)]
    n, passed_on = choose_workers(iter(short))
    assert n == 1 and list(passed_on) == short
    long = short + [Article.from_text("One more item.")]
    n, passed_on = choose_workers(iter(long))
    assert n == cores() and list(passed_on) == long
    assert choose_workers(iter(short), dask="local")[0] == cores()


def test_stdin_is_not_read_ahead():
    """stdin may be a live stream (`tail -f | tidings add -`): what came is processed at once."""
    def live():
        yield Article.from_text("The first item of a live stream.")
        raise AssertionError("read ahead of a live stream")

    n, passed_on = choose_workers(live(), stdin=True)
    assert n == 1 and next(passed_on).text == "The first item of a live stream."


def _profiling() -> bool:
    return dask.config.get("distributed.worker.profile.enabled")


def test_local_workers_run_without_dasks_sampling_profiler():
    """Its thread wakes every 10 ms in every worker: measured, two workers spent about 20 %
    more CPU than one process with it, about 5 % without (bench/bench_scale.py)."""
    from tidings.distributed import open_annotator

    with open_annotator(2) as annotator:
        assert set(annotator.client.run(_profiling).values()) == {False}
    assert _profiling() is True          # this process's configuration is left as it was
