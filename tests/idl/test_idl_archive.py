"""Hostile, oversized and broken archives are refused clearly, in memory, writing nothing."""

from __future__ import annotations

import bz2
import gzip
import io
import tarfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import task_pb2
from flyteidl.core import identifier_pb2, tasks_pb2

from fcomp.idl.limits import MIB, Limits
from fcomp.idl.load import load_paths
from fcomp.idl.model import LoadResult

TASK = task_pb2.TaskSpec(
    template=tasks_pb2.TaskTemplate(
        id=identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name="task.one"),
        type="python-task",
    )
).SerializeToString()


def test_minimal_task_spec_is_valid(tmp_path: Path):
    (tmp_path / "t_1.pb").write_bytes(TASK)
    result = load_paths([tmp_path / "t_1.pb"])
    assert result.diagnostics == []
    assert [e.source.entity for e in result.entities] == ["task.one"]


def member(name: str, data: bytes = b"", **fields: Any) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in fields.items():
        setattr(info, key, value)
    return info, (data if info.isreg() else None)


def write_archive(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for info, data in members:
            archive.addfile(info, None if data is None else io.BytesIO(data))
    return path


def refused(result: LoadResult, path: Path, code: str, *fragments: str) -> None:
    """Exactly one error, about ``path``, with ``code`` and ``fragments``; no entities."""
    assert result.entities == []
    [diagnostic] = result.diagnostics
    assert diagnostic.code == code
    assert diagnostic.source.file == str(path)
    for fragment in fragments:
        assert fragment in diagnostic.message


HOSTILE: dict[str, tuple[list[tuple[tarfile.TarInfo, bytes | None]], str]] = {
    "dotdot": ([member("0_t_1.pb", TASK), member("../1_evil_1.pb", TASK)], "'..'"),
    "dotdot-inside": ([member("pkg/../../x_1.pb", TASK)], "'..'"),
    "absolute": ([member("/etc/evil_1.pb", TASK)], "absolute path"),
    "windows-absolute": ([member("C:\\evil_1.pb", TASK)], "absolute path"),
    "symlink": (
        [member("0_t_1.pb", type=tarfile.SYMTYPE, linkname="/etc/passwd")],
        "symbolic link",
    ),
    "hardlink": (
        [member("0_t_1.pb", TASK), member("1_t_1.pb", type=tarfile.LNKTYPE, linkname="0_t_1.pb")],
        "hard link",
    ),
    "char-device": (
        [member("dev_1.pb", type=tarfile.CHRTYPE, devmajor=1, devminor=3)],
        "character device",
    ),
    "block-device": ([member("sda", type=tarfile.BLKTYPE, devmajor=8)], "block device"),
    "fifo": ([member("fifo_1.pb", type=tarfile.FIFOTYPE)], "FIFO"),
    "duplicate": ([member("0_t_1.pb", TASK), member("./0_t_1.pb", TASK)], "more than once"),
    "control-characters": ([member("0_\x1b[2J_1.pb", TASK)], "non-printable"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_members_refuse_the_archive(case: str, tmp_path: Path, no_writes: Callable):
    members, reason = HOSTILE[case]
    path = write_archive(tmp_path / "pkg.tgz", members)
    no_writes()
    refused(load_paths([path]), path, "UnsafeArchive", reason, "nothing was loaded")


def test_a_refused_archive_does_not_stop_other_paths(tmp_path: Path, no_writes: Callable):
    bad = write_archive(tmp_path / "bad.tgz", HOSTILE["dotdot"][0])
    good = write_archive(tmp_path / "good.tgz", [member("0_t_1.pb", TASK)])
    no_writes()
    result = load_paths([bad, good])
    assert [e.source.file for e in result.entities] == [f"{good}!0_t_1.pb"]
    assert [(d.code, d.source.file) for d in result.diagnostics] == [("UnsafeArchive", str(bad))]


def _gzip(raw: bytes) -> bytes:
    return gzip.compress(raw, compresslevel=1, mtime=0)


def test_member_declaring_one_gigabyte(tmp_path: Path, no_writes: Callable):
    info = tarfile.TarInfo("0_big_1.pb")
    info.size = 1 << 30
    raw = info.tobuf(tarfile.GNU_FORMAT) + TASK  # the declared body is never there
    path = tmp_path / "big.tgz"
    path.write_bytes(_gzip(raw))
    no_writes()
    refused(load_paths([path]), path, "UnsafeArchive", "declares 1073741824 bytes")


def _zeros(total: int, chunk: int = 4 * MIB) -> Iterator[bytes]:
    while total > 0:
        yield bytes(min(chunk, total))
        total -= chunk


def _write_gzip_stream(path: Path, pieces: Iterator[bytes]) -> Path:
    with gzip.GzipFile(path, "wb", compresslevel=1, mtime=0) as out:
        for piece in pieces:
            out.write(piece)
    return path


def _member_stream(
    name: str, size: int, body: Iterator[bytes], kind: bytes = tarfile.REGTYPE
) -> Iterator[bytes]:
    info = tarfile.TarInfo(name)
    info.size = size
    info.type = kind
    yield info.tobuf(tarfile.GNU_FORMAT)
    yield from body
    yield bytes(-size % tarfile.BLOCKSIZE)


def _bounded(load: Callable[[], LoadResult]) -> tuple[LoadResult, int, float]:
    """The result, the peak Python memory and the seconds it took."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = load()
        return result, tracemalloc.get_traced_memory()[1], time.perf_counter() - start
    finally:
        tracemalloc.stop()


SMALL = Limits(max_file_bytes=1 * MIB, max_total_bytes=8 * MIB, max_members=1000)


def test_gzip_bomb_of_one_huge_member(tmp_path: Path, no_writes: Callable):
    size = 200 * MIB
    path = _write_gzip_stream(tmp_path / "bomb.tgz", _member_stream("0_b_1.pb", size, _zeros(size)))
    assert path.stat().st_size < 2 * MIB
    no_writes()
    result, peak, _ = _bounded(lambda: load_paths([path], SMALL))
    refused(result, path, "UnsafeArchive", "declares 209715200 bytes")
    assert peak < 4 * MIB


def test_gzip_bomb_of_many_members_under_the_member_limit(tmp_path: Path, no_writes: Callable):
    def members() -> Iterator[bytes]:
        for i in range(200):
            yield from _member_stream(f"{i:03}_m_1.pb", MIB, _zeros(MIB))
        yield bytes(2 * tarfile.BLOCKSIZE)

    path = _write_gzip_stream(tmp_path / "bomb.tgz", members())
    no_writes()
    result, peak, _ = _bounded(lambda: load_paths([path], SMALL))
    refused(result, path, "UnsafeArchive", "more than 8388608 bytes")
    assert peak < 24 * MIB


def test_gzip_bomb_in_a_pax_header(tmp_path: Path, no_writes: Callable):
    """A pax record is read whole by tarfile: its size must be bounded before reading."""
    size = 200 * MIB
    pax = _member_stream("././@PaxHeader", size, _zeros(size), kind=tarfile.XHDTYPE)
    path = _write_gzip_stream(tmp_path / "pax.tgz", pax)
    no_writes()
    result, peak, _ = _bounded(lambda: load_paths([path], SMALL))
    refused(result, path, "UnsafeArchive", "a record in it needs more than")
    assert peak < 4 * MIB


def test_stream_expanding_past_the_total_limit(tmp_path: Path, no_writes: Callable):
    """Headers count too: thousands of empty entries stop at the total limit."""
    limits = Limits(max_file_bytes=MIB, max_total_bytes=MIB, max_members=100_000)
    entries = [member(f"d{i:05}", type=tarfile.DIRTYPE) for i in range(4000)]
    path = write_archive(tmp_path / "dirs.tgz", entries)
    no_writes()
    refused(load_paths([path], limits), path, "UnsafeArchive", "expands to more than 1048576 bytes")


def test_gzip_of_zeros_without_tar_structure(tmp_path: Path, no_writes: Callable):
    path = _write_gzip_stream(tmp_path / "zeros.tgz", _zeros(200 * MIB))
    no_writes()
    result, peak, seconds = _bounded(lambda: load_paths([path], SMALL))
    refused(result, path, "UnsafeArchive", "expands to more than 8388608 bytes")
    assert peak < 4 * MIB and seconds < 5


def test_too_many_members(tmp_path: Path, no_writes: Callable):
    path = write_archive(tmp_path / "many.tgz", [member(f"{i}_t_1.pb", TASK) for i in range(6)])
    no_writes()
    limits = Limits(max_members=5)
    refused(load_paths([path], limits), path, "UnsafeArchive", "more than 5 members")


def test_member_over_the_size_limit(tmp_path: Path, no_writes: Callable):
    path = write_archive(tmp_path / "big.tgz", [member("0_t_1.pb", TASK + bytes(2000))])
    no_writes()
    limits = Limits(max_file_bytes=1000)
    refused(load_paths([path], limits), path, "UnsafeArchive", "over the limit of 1000")


def _snacks_tgz(samples: Any, path: Path) -> bytes:
    members = [member(p.name, p.read_bytes()) for p in sorted(samples.snacks.glob("*.pb"))]
    return write_archive(path, members).read_bytes()


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.999])
def test_truncated_gzip(samples: Any, tmp_path: Path, no_writes: Callable, cut: float):
    data = _snacks_tgz(samples, tmp_path / "full.tgz")
    path = tmp_path / "cut.tgz"
    path.write_bytes(data[: int(len(data) * cut)])
    no_writes()
    refused(load_paths([path]), path, "LoadError", "truncated gzip")


def test_corrupt_gzip(samples: Any, tmp_path: Path, no_writes: Callable):
    data = bytearray(_snacks_tgz(samples, tmp_path / "full.tgz"))
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    path = tmp_path / "corrupt.tgz"
    path.write_bytes(bytes(data))
    no_writes()
    result = load_paths([path])
    assert result.entities == []
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "LoadError" and diagnostic.source.file == str(path)
    assert "gzip" in diagnostic.message


def test_crc_mismatch(tmp_path: Path, no_writes: Callable):
    data = bytearray(_gzip(tarfile.TarInfo("x").tobuf() + bytes(1024)))
    data[-8] ^= 0xFF  # the CRC32 in the trailer
    path = tmp_path / "crc.tgz"
    path.write_bytes(bytes(data))
    no_writes()
    refused(load_paths([path]), path, "LoadError", "corrupt gzip data")


def test_not_a_tar(tmp_path: Path, no_writes: Callable):
    path = tmp_path / "notes.tgz"
    path.write_bytes(_gzip(b"just some text, not a tar archive\n" * 40))
    no_writes()
    refused(load_paths([path]), path, "LoadError", "not a readable tar archive")


def test_unsupported_compression(tmp_path: Path, no_writes: Callable):
    path = tmp_path / "pkg.tar"
    path.write_bytes(bz2.compress(tarfile.TarInfo("x").tobuf()))
    no_writes()
    refused(load_paths([path]), path, "LoadError", "bzip2")


def test_concatenated_gzip_members_and_zero_padding(tmp_path: Path, no_writes: Callable):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        info = tarfile.TarInfo("0_t_1.pb")
        info.size = len(TASK)
        archive.addfile(info, io.BytesIO(TASK))
    data = raw.getvalue()
    path = tmp_path / "multi.tgz"
    path.write_bytes(_gzip(data[:700]) + _gzip(data[700:]) + bytes(100))
    no_writes()
    result = load_paths([path])
    assert result.diagnostics == []
    assert [e.source.file for e in result.entities] == [f"{path}!0_t_1.pb"]


def test_member_bytes_are_never_extracted(samples: Any, tmp_path: Path, no_writes: Callable):
    path = tmp_path / "pkg.tgz"
    _snacks_tgz(samples, path)
    no_writes()
    result = load_paths([path])
    assert len(result.entities) == 183 and result.diagnostics == []


def test_member_declaring_a_negative_size(tmp_path: Path, no_writes: Callable):
    info = tarfile.TarInfo("0_neg_1.pb")
    info.size = -1024
    path = tmp_path / "neg.tgz"
    path.write_bytes(_gzip(info.tobuf(tarfile.GNU_FORMAT) + bytes(2048)))
    no_writes()
    refused(load_paths([path]), path, "UnsafeArchive", "negative size")


def test_damaged_header_in_a_plain_tar(tmp_path: Path, no_writes: Callable):
    """tarfile takes a bad header after the first for the end; the loader does not."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        for name in ("0_t_1.pb", "1_t_1.pb"):
            info = tarfile.TarInfo(name)
            info.size = len(TASK)
            archive.addfile(info, io.BytesIO(TASK))
    data = bytearray(raw.getvalue())
    data[1024 + 148 : 1024 + 156] = b"garbage!"  # the second header's checksum
    path = tmp_path / "damaged.tar"
    path.write_bytes(bytes(data))
    no_writes()
    refused(load_paths([path]), path, "LoadError", "damaged tar archive")
