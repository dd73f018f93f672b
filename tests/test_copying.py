"""The one journaled copy path (sorting.copying.journaled_copy) on real photos: exact bytes and
timestamps, a journal entry for every copy, no partial file on a failing write, never replacing
an existing file (even one taken mid-copy), and each crash point finished by recovery."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.sorting import scene_photo, temp_files

from photosort import images
from photosort.catalog import Catalog
from photosort.sorting import files, recover
from photosort.sorting.copying import journaled_copy, journaled_mkdir, journaled_remove
from photosort.registration import register_photo
from photosort.sorting.journal import RunLock

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def catalog(library_dir):
    with Catalog(library_dir) as catalog:
        yield catalog


@pytest.fixture
def photo(catalog, datasets_dir, tmp_path):
    """A real photo in a camera roll, registered in the catalog."""
    source = scene_photo(datasets_dir, "sea", 3)
    (tmp_path / "roll").mkdir()
    return register_photo(catalog, shutil.copy2(source, tmp_path / "roll" / source.name))


def _run(catalog) -> int:
    return catalog.start_run("sort", "roll").id


def _copy(catalog, run_id, photo, dest, **kw):
    return journaled_copy(catalog, run_id, photo.path, dest, photo.content_hash, photo.size, photo_id=photo.id, **kw)


@pytest.mark.parametrize("fast", [True, False], ids=["compared", "hashed"])
def test_a_copy_has_the_original_bytes_and_times_and_is_journaled(catalog, photo, tmp_path, fast):
    run = _run(catalog)
    assert journaled_mkdir(catalog, run, tmp_path / "sea")
    dest = _copy(catalog, run, photo, tmp_path / "sea" / photo.path.name, mtime=photo.mtime if fast else None)
    assert dest == tmp_path / "sea" / photo.path.name
    assert images.content_hash(dest) == photo.content_hash and dest.stat().st_mtime_ns == photo.path.stat().st_mtime_ns
    [mkdir, copy] = catalog.file_ops(run)
    assert (mkdir.op, mkdir.state, copy.op, copy.state, copy.dest) == ("mkdir", "done", "copy", "done", dest)
    assert copy.tmp.parent == dest.parent and not copy.tmp.exists() and not temp_files(tmp_path / "sea")


def test_never_replaces_an_existing_file(catalog, photo, tmp_path):
    folder = tmp_path / "sea"
    folder.mkdir()
    theirs = folder / photo.path.name
    theirs.write_bytes(b"someone else's photo with the same name")
    run = _run(catalog)
    dest = _copy(catalog, run, photo, theirs)
    assert dest == folder / f"{photo.path.stem} (1){photo.path.suffix}" and images.content_hash(dest) == photo.content_hash
    assert theirs.read_bytes() == b"someone else's photo with the same name"
    assert catalog.file_ops(run)[-1].dest == dest  # the journal says where it really went

    with pytest.raises(FileExistsError):  # undo's restore: its own name or nothing
        _copy(catalog, run, photo, theirs, exact=True)
    assert theirs.read_bytes() == b"someone else's photo with the same name"
    assert catalog.file_ops(run)[-1].state == "failed" and not temp_files(folder)


def test_a_name_taken_while_copying_is_left_alone(catalog, photo, tmp_path, monkeypatch):
    folder = tmp_path / "sea"
    folder.mkdir()
    racer = folder / photo.path.name
    real_write = files.write_bytes

    def write_while_another_program_takes_the_name(src, tmp):
        real_write(src, tmp)
        racer.write_bytes(b"another program was faster")

    monkeypatch.setattr(files, "write_bytes", write_while_another_program_takes_the_name)
    dest = _copy(catalog, _run(catalog), photo, racer, mtime=photo.mtime)
    assert racer.read_bytes() == b"another program was faster"
    assert dest.name == f"{photo.path.stem} (1){photo.path.suffix}" and images.content_hash(dest) == photo.content_hash


def test_a_full_disk_leaves_no_partial_file(catalog, photo, tmp_path, monkeypatch):
    folder = tmp_path / "sea"
    folder.mkdir()

    def disk_full(src, tmp):
        tmp.write_bytes(src.read_bytes()[:1000])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files, "write_bytes", disk_full)
    run = _run(catalog)
    with pytest.raises(OSError):
        _copy(catalog, run, photo, folder / photo.path.name, mtime=photo.mtime)
    assert list(folder.iterdir()) == []
    [op] = catalog.file_ops(run)
    assert op.state == "failed" and op.error == os.strerror(errno.ENOSPC)


def test_a_removal_needs_both_files_unchanged(catalog, photo, tmp_path):
    run = _run(catalog)
    (tmp_path / "sea").mkdir()
    copy = _copy(catalog, run, photo, tmp_path / "sea" / photo.path.name)
    edited = tmp_path / "edited.jpg"
    edited.write_bytes(b"changed")
    with pytest.raises(files.CopyError):
        journaled_remove(catalog, run, photo.path, edited, photo.content_hash, photo.size, photo.id)
    assert photo.path.exists()
    journaled_remove(catalog, run, photo.path, copy, photo.content_hash, photo.size, photo.id)
    assert not photo.path.exists() and images.content_hash(copy) == photo.content_hash
    assert [op.state for op in catalog.file_ops(run) if op.op == "remove"] == ["failed", "done"]


_CHILD = """
import sys
from pathlib import Path
from photosort import images
from photosort.catalog import Catalog
from photosort.sorting.copying import journaled_copy
from photosort.sorting.journal import RunLock

library, src, dest = map(Path, sys.argv[1:4])
with Catalog(library) as catalog:
    photo = catalog.photo_by_path(src)
    lock = RunLock(catalog)
    lock.acquire()
    run = catalog.start_run("sort", src.parent, None, {"lock": lock.token})
    journaled_copy(catalog, run.id, src, dest, photo.content_hash, photo.size, mtime=photo.mtime, photo_id=photo.id)
"""


@pytest.mark.parametrize("point", ["temp-written", "published", "copied"])
def test_each_crash_point_is_finished_by_recovery(catalog, photo, tmp_path, point):
    folder = tmp_path / "sea"
    folder.mkdir()
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(catalog.library_dir), str(photo.path), str(folder / photo.path.name)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]), files.CRASH_ENV: f"{point}:1"},
        capture_output=True, text=True, timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    [op] = catalog.file_ops()
    assert op.state == ("done" if point == "copied" else "pending")
    assert temp_files(folder) == ([op.tmp] if point == "temp-written" else [])
    lock = RunLock(catalog, catalog.run(op.run_id).options["lock"])
    assert lock.acquire()  # the kill freed the lock
    lock.release()

    notes = recover(catalog)
    assert len(notes) == 1 and "was interrupted" in notes[0]
    assert [images.content_hash(p) for p in folder.iterdir()] == [photo.content_hash]  # exactly one copy, no temp
    assert catalog.file_ops(state="pending") == []


# -- real file systems: no hard links, syncing, a full or read-only destination ---------------


def _no_hard_links(monkeypatch, err=errno.EPERM):
    def link(src, dst, *a, **kw):  # what vfat/exFAT and many SMB/NFS mounts answer
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(os, "link", link)


@pytest.mark.parametrize("err", [errno.EPERM, errno.ENOTSUP], ids=["EPERM", "ENOTSUP"])
def test_without_hard_links_publishing_still_never_replaces_a_file(catalog, photo, tmp_path, monkeypatch, err):
    _no_hard_links(monkeypatch, err)
    folder = tmp_path / "sea"
    folder.mkdir()
    racer = folder / photo.path.name
    real_write = files.write_bytes

    def write_while_another_program_takes_the_name(src, tmp):
        real_write(src, tmp)
        racer.write_bytes(b"another program was faster")

    monkeypatch.setattr(files, "write_bytes", write_while_another_program_takes_the_name)
    run = _run(catalog)
    dest = _copy(catalog, run, photo, racer, mtime=photo.mtime)
    assert racer.read_bytes() == b"another program was faster"
    assert dest.name == f"{photo.path.stem} (1){photo.path.suffix}" and images.content_hash(dest) == photo.content_hash
    assert not temp_files(folder) and catalog.file_ops(run)[-1].state == "done"


def test_the_placeholder_name_is_taken_atomically(tmp_path, monkeypatch):
    """Two writers publishing to one name with no hard links: exactly one gets it, the other
    hears FileExistsError, and no file is ever replaced (O_CREAT|O_EXCL reserves the name)."""
    _no_hard_links(monkeypatch)
    dest = tmp_path / "photo.jpg"
    first, second = tmp_path / ".photosort-a.tmp", tmp_path / ".photosort-b.tmp"
    first.write_bytes(b"first")
    second.write_bytes(b"second")
    reserved = []
    files.publish(first, dest, reserved.append)
    with pytest.raises(FileExistsError):
        files.publish(second, dest, reserved.append)
    assert dest.read_bytes() == b"first" and reserved == [dest, dest] and second.exists()


def test_a_crash_after_reserving_the_name_is_cleaned_up_by_recovery(catalog, photo, tmp_path):
    folder = tmp_path / "sea"
    folder.mkdir()
    child = subprocess.run(
        [sys.executable, "-c", "import os, errno\n"
         "def link(*a, **k): raise OSError(errno.EPERM, 'no links')\n"
         "os.link = link\n" + _CHILD, str(catalog.library_dir), str(photo.path), str(folder / photo.path.name)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
                       files.CRASH_ENV: "reserved:1"},
        capture_output=True, text=True, timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    [placeholder] = [p for p in folder.iterdir() if not p.name.startswith(".")]
    assert placeholder.stat().st_size == 0  # the reserved name, still empty
    recover(catalog)
    assert [(p.name, images.content_hash(p)) for p in folder.iterdir()] == [(photo.path.name, photo.content_hash)]


def test_fsync_works_where_a_read_only_handle_cannot_be_synced(tmp_path, monkeypatch):
    """Windows refuses fsync on a read-only handle (EBADF); some network file systems refuse
    it on folders (EINVAL). A file is then synced through a writable handle; a folder skipped."""
    import fcntl

    synced = []
    real_fsync = os.fsync

    def picky_fsync(fd):
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", picky_fsync)
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"bytes")
    files.fsync_path(path)
    files.fsync_path(tmp_path)
    assert len(synced) == 1

    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(OSError):  # a real failure is still one
        files.fsync_path(path)


@pytest.fixture
def small_fs(tmp_path):
    """A 2-MB tmpfs (a destination that fills up), unmounted afterwards; skipped where this
    machine does not allow mounting (not root, a container without CAP_SYS_ADMIN)."""
    where = tmp_path / "card"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip() or 'mount failed'})")
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_full_file_system_leaves_no_partial_file_and_loses_nothing(catalog, photo, tmp_path, small_fs):
    folder = small_fs / "sea"
    folder.mkdir()
    (small_fs / "filler").write_bytes(b"x" * (2 * 1024 * 1024 - photo.size // 2))  # room for half a photo
    run = _run(catalog)
    with pytest.raises(OSError) as failed:
        _copy(catalog, run, photo, folder / photo.path.name, mtime=photo.mtime)
    assert failed.value.errno == errno.ENOSPC and files.reason(failed.value) == os.strerror(errno.ENOSPC)
    assert list(folder.iterdir()) == [] and images.content_hash(photo.path) == photo.content_hash
    assert catalog.file_ops(run)[-1].state == "failed"

    (small_fs / "filler").unlink()  # room made: the same copy now succeeds
    dest = _copy(catalog, run, photo, folder / photo.path.name, mtime=photo.mtime)
    assert images.content_hash(dest) == photo.content_hash and not temp_files(folder)


def test_a_read_only_file_system_is_one_clear_error(catalog, photo, tmp_path, small_fs):
    folder = small_fs / "sea"
    folder.mkdir()
    remount = subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], capture_output=True, text=True)
    if remount.returncode != 0:
        pytest.skip(f"cannot remount read-only here ({remount.stderr.strip()})")
    run = _run(catalog)
    with pytest.raises(OSError) as failed:
        _copy(catalog, run, photo, folder / photo.path.name, mtime=photo.mtime)
    assert files.reason(failed.value) == os.strerror(errno.EROFS)
    assert list(folder.iterdir()) == [] and catalog.file_ops(run)[-1].state == "failed"


def test_a_run_lock_held_by_a_live_process_is_never_taken_for_a_crashed_one(catalog):
    held = RunLock(catalog)
    assert held.acquire()
    child = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom photosort.catalog import Catalog\n"
         "from photosort.sorting.journal import RunLock\n"
         "with Catalog(sys.argv[1]) as c: print(RunLock(c, sys.argv[2]).acquire())",
         str(catalog.library_dir), held.token],
        cwd=REPO, env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])},
        capture_output=True, text=True, timeout=120,
    )
    assert child.stdout.strip() == "False", child.stderr
    held.release()
    again = RunLock(catalog, held.token)
    assert again.acquire()
    again.release()
