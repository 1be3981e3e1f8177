"""Writing files without ever leaving a half-written file or a half-done build.

All files of a build are first written to temporary files beside their targets.
Only when every one is on disk are they moved into place with ``os.replace``
(atomic on one file system).  The old version of each target is kept as a hard
link until every move has succeeded, so a move that fails puts back the files
already replaced: earlier outputs are left exactly as they were, and no
temporary file stays behind.  Ctrl-C or a ``kill`` during the moves is held back
until they are done (then acts as it would have), so a signal cannot split a build either.

A build holds a lock on its output folder from the moment it decides what is
out of date until its record is saved, so two builds into one folder take turns.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError

# Signals whose default action ends the program: held back while outputs are moved into place.
_HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class OutputError(BriefingError):
    """An output could not be written; nothing of the build was kept."""

    def __init__(self, path: Path, reason: str, message: str | None = None) -> None:
        self.path = path
        self.reason = reason
        super().__init__(message or f"cannot write {path}: {reason}; no output of this build was kept")


@dataclass(frozen=True)
class OutputFile:
    path: Path
    data: bytes


def _keep_old(target: Path) -> Path | None:
    """A second name for the current ``target``, to restore it if the build fails."""
    if not target.exists():
        return None
    backup = Path(tempfile.mktemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)
    return backup


@contextmanager
def _signals_held() -> Iterator[None]:
    """Signals that would stop the program wait until the block is done, then act as they would have.

    Python runs signal handlers in the main thread only, so a build in another thread is not
    interrupted by them; in the main thread the handlers are swapped for ones that take note.
    (Blocking the signal with ``pthread_sigmask`` would not do: the kernel hands a signal sent
    to the process to any thread that does not block it, and Python acts on it all the same.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous: dict[int, Any] = {}
    for number in _HELD_SIGNALS:
        handler = signal.getsignal(number)
        if handler is not None:  # None: set outside Python, left as it is
            previous[number] = signal.signal(number, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)  # Ctrl-C now raises KeyboardInterrupt, SIGTERM now ends the program


def outside(path: Path, folder: Path) -> Path | None:
    """Where ``path`` would really be written, if a link takes it out of ``folder`` (else None).

    The deepest part of ``path`` that exists is resolved (links followed): a folder made below it
    is made where it really is.  A link at ``path`` itself is replaced by the file, not written through.
    """
    existing, folder = path.absolute().parent, folder.absolute()
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if folder != existing and folder.is_relative_to(existing):
        return None  # the folder itself is still to be made, and everything in it
    real = existing.resolve()
    return None if real.is_relative_to(folder.resolve()) else real


def _stage(files: Sequence[OutputFile], within: Path | None = None) -> list[tuple[Path, Path]]:
    """Each file's data in a temporary file beside its target: (temporary, target) pairs."""
    staged: list[tuple[Path, Path]] = []
    current = files[0].path if files else Path()
    try:
        for output in files:
            current = output.path
            if within is not None and (real := outside(output.path, within)) is not None:
                raise OutputError(
                    output.path,
                    f"a link leads out of {within} (to {real}); refused",
                    f"cannot write {output.path}: a link leads out of {within} (to {real}); nothing was written",
                )
            if output.path.is_dir():
                raise IsADirectoryError(21, "a folder of that name is in the way", str(output.path))
            output.path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{output.path.name}.", suffix=".tmp", dir=output.path.parent)
            staged.append((Path(name), output.path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(output.data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(name, 0o644)
    except BaseException as error:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(current, error.strerror or str(error)) from None
        raise
    return staged


def write_outputs(files: Sequence[OutputFile], within: Path | None = None) -> None:
    """Write every file, or none of them (raises ``OutputError`` naming the file).

    With ``within``, a file whose folder is (through a link) outside that folder is refused
    before anything is written: a received folder cannot make the tool write elsewhere."""
    move_into_place(_stage(files, within))


def move_into_place(staged: Sequence[tuple[Path, Path]]) -> None:
    """Move each (temporary, target) pair's file onto its target, all or none (raises ``OutputError``).

    Every temporary must be on the target's file system; the targets' folders must exist.
    The old version of each target is kept until every move has succeeded, and put back if one fails."""
    backups: list[tuple[Path | None, Path]] = []
    current: Path | None = None
    with _signals_held():
        try:
            for temporary, target in staged:
                current = target
                backups.append((_keep_old(target), target))
                os.replace(temporary, target)
        except OSError as error:
            for backup, target in reversed(backups):
                if backup is not None:
                    os.replace(backup, target)
                elif target.exists() and not target.is_dir():
                    target.unlink()  # it did not exist before this build
            for temporary, _ in staged:
                temporary.unlink(missing_ok=True)
            assert current is not None
            raise OutputError(current, error.strerror or str(error)) from None
        for backup, _ in backups:
            if backup is not None:
                backup.unlink(missing_ok=True)


def remove_leftovers(targets: Iterable[Path]) -> None:
    """Delete the temporary and backup files an earlier build that was killed (``kill -9``,
    power loss) left beside ``targets``.  Only under the folder's lock: a build running at
    the same time has files of the same shape."""
    for target in targets:
        own = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.(tmp|old)")
        for name in glob.glob(glob.escape(f"{target.parent}/.{target.name}.") + "*"):
            path = Path(name)
            if own.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)


@contextmanager
def folder_lock(folder: Path, waiting: Callable[[], None]) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (made if missing); call ``waiting`` first if
    another process holds it.  The lock is on the folder itself, so no lock file is left in it."""
    import fcntl

    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        reason = error.strerror or str(error)
        raise OutputError(folder, reason, f"cannot write to {folder}: {reason}") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError:
            pass  # a file system without locks: build as if alone, as before
        yield
    finally:
        os.close(descriptor)  # releases the lock
