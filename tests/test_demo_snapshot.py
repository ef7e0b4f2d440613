"""The demo's snapshot is shared by the run's workers (tests/demo_snapshot.py): one worker leaves it
whole in the shared directory, another reads it back; with no directory nothing is shared."""

from tests import demo_snapshot
from tests.demo_snapshot import Snapshot


def test_a_snapshot_left_by_one_worker_is_read_whole_by_another(tmp_path, monkeypatch):
    monkeypatch.setenv(demo_snapshot.SHARED_DIR, str(tmp_path))
    assert demo_snapshot._shared() is None  # nobody has seeded it: the worker seeds it itself
    snapshot = Snapshot(
        tables={"initiatives_initiative": b"1\tBe'er Sheva\n"},
        sequences={"public.initiatives_initiative_id_seq": 1},
        files={"reports/1.pdf": b"%PDF-1.7"},
    )
    demo_snapshot._share(snapshot)

    assert demo_snapshot._shared() == snapshot
    assert not list(tmp_path.glob("demo.[0-9]*"))  # no partial file left


def test_without_a_shared_directory_nothing_is_shared(monkeypatch):
    monkeypatch.delenv(demo_snapshot.SHARED_DIR, raising=False)
    demo_snapshot._share(Snapshot())
    assert demo_snapshot._shared() is None


def test_the_run_gives_its_workers_a_shared_directory():
    import os
    from pathlib import Path

    assert Path(os.environ[demo_snapshot.SHARED_DIR]).is_dir()
