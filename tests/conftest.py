"""What several test modules share: where the seed articles are, and how to read them."""
from pathlib import Path

import duckdb
import pytest

from tidings.ingest.clean import clean_text

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")


def seed_text(name: str) -> str:
    """A seed article as the ingest cleaner leaves it (boilerplate gone, glued sentences repaired)."""
    return clean_text((SEEDS / name).read_text(encoding="utf-8")).text


def dump_db(path) -> dict:
    """Every table of a database file as sorted rows: two dumps are equal when the files hold the same data."""
    con = duckdb.connect(str(path), read_only=True)
    tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
    out = {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
    con.close()
    return out
