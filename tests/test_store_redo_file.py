"""`<db>-redo` written through a shared mapping (store/sqlite_redo_file.py, docs/group-commit.md): what a kill,
a restart of the file, another process and a file system without mappings leave readable."""

from __future__ import annotations

import mmap
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mock_server.store.sqlite_redo_file as redo_file
from mock_server.store.sqlite_redo import decode, encode
from mock_server.store.sqlite_redo_file import RedoFile

INSERT = "INSERT INTO meta (key, value) VALUES (?, ?)"


def _record(seq: int, size: int = 10) -> bytes:
    return encode(7, seq, [(INSERT, (f"k{seq}", b"x" * size), False)])


def _seqs(path: Path) -> list[int]:
    """What a process opening the file after a kill replays (the file as the OS holds it)."""
    return [seq for _epoch, seq, _ in decode(path.read_bytes())]


def _mapped_then_emptied_elsewhere(path: Path) -> RedoFile:
    """This process's file, mapped with one record, then emptied by another process's open (its replay)."""
    mine = RedoFile(str(path), durable=False)
    mine.append(_record(1))
    other = RedoFile(str(path), durable=False)
    other.truncate()
    other.close()
    return mine


def test_a_record_is_in_the_file_once_appended(tmp_path):
    """The OS holds each record the moment `append` returns (what a kill -9 leaves), in a mapped file."""
    path = tmp_path / "s-redo"
    redo = RedoFile(str(path), durable=False)
    for seq in (1, 2, 3):
        redo.append(_record(seq))
        assert _seqs(path) == list(range(1, seq + 1))
    assert redo._map is not None  # through the mapping
    redo.close()


@settings(max_examples=30, deadline=None)
@given(first=st.lists(st.integers(1, 3000), min_size=1, max_size=8), then=st.lists(st.integers(1, 3000), max_size=8),
       cut=st.integers(0, 4000))
def test_after_a_restart_only_the_new_records_are_read_and_a_torn_one_ends_them(first, then, cut):
    """Records of any sizes, a restart (the group found them all committed), newer ones, then one torn by a kill
    mid-copy: a replay reads exactly the newer whole ones, never the older ones left beyond them."""
    with __import__("tempfile").TemporaryDirectory() as tmp:
        path = Path(tmp) / "s-redo"
        redo = RedoFile(str(path), durable=False)
        seq = 0
        for size in first:
            seq += 1
            redo.append(_record(seq, size))
        redo.restart()
        assert _seqs(path) == []
        newer = []
        for size in then:
            seq += 1
            redo.append(_record(seq, size))
            newer.append(seq)
        torn = _record(seq + 1, 2000)
        start = redo.size
        redo._map[start + len(torn):start + len(torn) + 8] = bytes(8)  # what append writes first
        redo._map[start:start + min(cut, len(torn) - 1)] = torn[:min(cut, len(torn) - 1)]  # killed mid-copy
        assert _seqs(path) == newer
        redo.close()


def test_another_process_emptying_the_file_is_noticed_before_the_mapping_is_touched(tmp_path):
    """Another process's open replays and empties the file while this one keeps it mapped (between groups):
    this one sees the change, drops its mapping (touching it beyond the new end would kill the process) and
    appends again from the start."""
    path = tmp_path / "s-redo"
    mine = RedoFile(str(path), durable=False)
    mine.append(_record(1))
    other = RedoFile(str(path), durable=False)
    assert [seq for _e, seq, _ in decode(other.read())] == [1]
    other.truncate()
    other.close()
    assert mine.changed_elsewhere() and mine._map is None
    assert mine.read() == b""
    mine.append(_record(2))
    assert _seqs(path) == [2]
    mine.close()


def test_without_a_mapping_records_are_written_in_the_same_format(tmp_path, monkeypatch):
    """A file system that cannot map the file: records are written with pwrite at the same offsets, and a
    mapped writer after it (or a reader) reads them as its own."""
    path = tmp_path / "s-redo"

    def refuse(*args: object, **kwargs: object) -> mmap.mmap:
        raise OSError("no shared mappings here")

    monkeypatch.setattr(redo_file.mmap, "mmap", refuse)
    plain = RedoFile(str(path), durable=False)
    plain.append(_record(1))
    plain.append(_record(2))
    assert plain._map is None and _seqs(path) == [1, 2]
    plain.close()
    monkeypatch.undo()
    mapped = RedoFile(str(path), durable=False)
    assert [seq for _e, seq, _ in decode(mapped.read())] == [1, 2]
    mapped.append(_record(3))
    assert mapped._map is not None and _seqs(path) == [1, 2, 3]
    mapped.close()


def test_durable_records_are_synced_after_the_copy(tmp_path, monkeypatch):
    """--durable: every appended record (copied into the mapping) is fdatasync'ed before append returns."""
    synced: list[int] = []
    monkeypatch.setattr(redo_file, "_datasync", lambda fd: synced.append(fd))
    redo = RedoFile(str(tmp_path / "s-redo"), durable=True)
    redo.append(_record(1))
    redo.append(_record(2))
    assert len(synced) == 2
    redo.close()


def test_a_record_beyond_the_capacity_grows_the_file(tmp_path, monkeypatch):
    """A record larger than what is mapped (a big batch) remaps a larger file; the records before it stay."""
    monkeypatch.setattr(redo_file, "CAPACITY", mmap.PAGESIZE)
    path = tmp_path / "s-redo"
    redo = RedoFile(str(path), durable=False)
    redo.append(_record(1, 100))
    redo.append(_record(2, 3 * mmap.PAGESIZE))
    redo.append(_record(3, 100))
    assert _seqs(path) == [1, 2, 3]
    copy = tmp_path / "copy-redo"
    shutil.copyfile(path, copy)
    assert _seqs(copy) == [1, 2, 3]
    redo.close()


def test_a_failed_append_leaves_the_records_before_it_readable(tmp_path, monkeypatch):
    """An append failing at its fdatasync (an I/O error) is taken back: the next record follows the earlier
    ones, and nothing torn sits between them."""
    path = tmp_path / "s-redo"
    redo = RedoFile(str(path), durable=True)
    redo.append(_record(1))

    def fail(fd: int) -> None:
        raise OSError("EIO")

    monkeypatch.setattr(redo_file, "_datasync", fail)
    with pytest.raises(OSError):
        redo.append(_record(2))
    assert _seqs(path) == [1]
    monkeypatch.setattr(redo_file, "_datasync", lambda fd: None)
    redo.append(_record(3))
    assert _seqs(path) == [1, 3]
    redo.close()


def test_a_full_disk_when_mapping_falls_back_to_pwrite(tmp_path, monkeypatch):
    """Review: a copy into a mapped page with no block behind it kills the process (SIGBUS) on a full disk, so
    the blocks are allocated before mapping; when that fails (ENOSPC) records are written with pwrite, whose
    errors are ordinary exceptions."""
    def full(fd: int, offset: int, length: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(redo_file.os, "posix_fallocate", full, raising=False)
    path = tmp_path / "s-redo"
    redo = RedoFile(str(path), durable=False)
    redo.append(_record(1))
    assert redo._map is None and _seqs(path) == [1]
    assert path.stat().st_size < redo_file.CAPACITY  # not left extended to the capacity
    redo.close()


def test_reading_never_touches_the_mapping(tmp_path):
    """Review: after this process gave the file back (between groups) another one may empty it; reading it then
    must not touch the mapping (beyond the end of the file: SIGBUS kills the process) but read what is there."""
    path = tmp_path / "s-redo"
    mine = _mapped_then_emptied_elsewhere(path)
    assert mine.read() == b""  # still mapped: read with pread, not from the mapping
    mine.close()


def test_a_file_emptied_elsewhere_is_not_extended_with_a_hole(tmp_path, monkeypatch):
    """Second review: after another process emptied the file, a mapping that cannot be made (a full disk) leaves
    the file as it found it (empty, then the pwrite'n record), not extended to a stale size full of holes that a
    later mapping would copy into (SIGBUS on a full disk)."""
    path = tmp_path / "s-redo"
    mine = _mapped_then_emptied_elsewhere(path)
    assert mine.changed_elsewhere()
    assert mine.read() == b"" and mine.file_size == 0

    def full(fd: int, offset: int, length: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(redo_file.os, "posix_fallocate", full, raising=False)
    record = _record(2)
    mine.append(record)
    assert mine._map is None and path.stat().st_size == len(record) + 8 and _seqs(path) == [2]
    mine.close()


def test_mapping_can_be_turned_off(tmp_path, monkeypatch):
    """GRAPHMOCK_REDO_MAP=0 (a copy-on-write file system): every record written with pwrite."""
    monkeypatch.setattr(redo_file, "MAPPED", False)
    path = tmp_path / "s-redo"
    redo = RedoFile(str(path), durable=False)
    redo.append(_record(1))
    redo.append(_record(2))
    assert redo._map is None and _seqs(path) == [1, 2]
    redo.close()


def test_a_file_found_empty_drops_the_mapping(tmp_path):
    """Third review: a replay finding the file emptied by another process forgets this process's mapping too,
    so the next append maps the file again instead of copying beyond its end (SIGBUS)."""
    path = tmp_path / "s-redo"
    mine = _mapped_then_emptied_elsewhere(path)
    mine.emptied()
    assert mine._map is None and not mine.changed_elsewhere()
    mine.append(_record(2))
    assert _seqs(path) == [2]
    mine.close()
