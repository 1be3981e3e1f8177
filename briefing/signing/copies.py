"""The recipient's own copies of sources a brief does not carry (``generate verify --sources DIR``).

A published brief names each source it does not carry by the SHA-256 of the file the unit quoted
(``evidence.json``).  A recipient who has obtained those files puts them in one folder, under any
names: every file there is hashed, and a source's copy is the file with that SHA-256, never a file
found by a name or path the PDF gives (the PDF is untrusted; only its hashes are compared).

The folder is the recipient's, but what is read stays bounded: symbolic links are not followed
(neither out of the folder nor within it), only regular files are read (a pipe or a device is
passed over), a file larger than a source may be (``MAX_SOURCE_BYTES``) is not read, and a folder
holding more than ``MAX_ENTRIES`` files and folders, or more than ``MAX_TOTAL_BYTES`` of files
together, is not used at all: the message asks for a folder holding the sources.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import stat
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from briefing.dossier.verify import MAX_SOURCE_BYTES

MAX_ENTRIES = 1000  # files, folders and links looked at in DIR, its subfolders included
MAX_TOTAL_BYTES = 1024**3  # all files read together
_SHA256 = re.compile(r"[0-9a-f]{64}")


def is_sha256(value: object) -> bool:
    """Whether ``value`` is a SHA-256 as ``evidence.json`` writes one: 64 lower-case hex digits."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


@dataclass(frozen=True)
class Copy:
    name: str  # where it is in the folder (a path relative to it)
    data: bytes


@dataclass
class Folder:
    """What was found in the recipient's folder."""

    root: Path
    copies: dict[str, Copy] = field(default_factory=dict)  # by SHA-256: the file with it, first in name order
    # Every file read: its last name part -> (its name in the folder, its SHA-256), for "same name, other hash".
    by_name: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what was passed over, and why
    refused: str | None = None  # why the folder was not used at all


@dataclass(frozen=True)
class _Listed:
    name: str
    path: str
    size: int


class _TooMany(Exception):
    pass


def find_copies(root: Path, wanted: Collection[str]) -> Folder:
    """The files in ``root`` whose SHA-256 is in ``wanted`` (see the module's docstring)."""
    folder = Folder(root)
    try:
        listed = _list(root.resolve(strict=True), folder.notes)
    except _TooMany:
        folder.refused = (
            f"{root} holds more than {MAX_ENTRIES:,} files and folders: nothing in it was read. "
            "Give --sources a folder holding just the brief's sources"
        )
        return folder
    except OSError as error:
        folder.refused = f"{root}: cannot read the folder: {error.strerror or error}"
        return folder
    total = sum(entry.size for entry in listed)
    if total > MAX_TOTAL_BYTES:
        folder.refused = (
            f"the files in {root} are {total:,} bytes together; the limit is {MAX_TOTAL_BYTES // 2**30} GiB: "
            "nothing in it was read. Give --sources a folder holding just the brief's sources"
        )
        return folder
    for entry in listed:
        try:
            data = _read(entry.path)
        except _PassedOver as why:
            folder.notes.append(f"{entry.name}: {why}")
            continue
        digest = hashlib.sha256(data).hexdigest()
        folder.by_name.setdefault(Path(entry.name).name, []).append((entry.name, digest))
        if digest in wanted and digest not in folder.copies:
            folder.copies[digest] = Copy(entry.name, data)
    return folder


def _list(root: Path, notes: list[str]) -> list[_Listed]:
    """Every regular file under ``root`` that may be read, in name order; links and other kinds noted."""
    listed: list[_Listed] = []
    pending = [root]
    looked = 0
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                # Never more entries than the limit allows, however large the folder.
                batch = list(itertools.islice(entries, MAX_ENTRIES - looked + 1))
        except OSError as error:
            if current == root:
                raise
            notes.append(f"{current.relative_to(root).as_posix()}: cannot list it: {error.strerror or error}")
            continue
        looked += len(batch)
        if looked > MAX_ENTRIES:
            raise _TooMany
        for entry in sorted(batch, key=lambda item: item.name):
            name = Path(entry.path).relative_to(root).as_posix()
            if entry.is_symlink():
                notes.append(f"{name}: a symbolic link, not followed (only files inside the folder itself are read)")
            elif entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            elif not entry.is_file(follow_symlinks=False):
                notes.append(f"{name}: not a regular file; not read")
            else:
                try:
                    size = entry.stat(follow_symlinks=False).st_size
                except OSError as error:
                    notes.append(f"{name}: cannot read it: {error.strerror or error}")
                    continue
                if size > MAX_SOURCE_BYTES:
                    limit = MAX_SOURCE_BYTES // 2**20
                    notes.append(f"{name}: {size:,} bytes, more than a source may be ({limit} MiB); not read")
                else:
                    listed.append(_Listed(name, entry.path, size))
    return sorted(listed, key=lambda entry: entry.name)


class _PassedOver(Exception):
    """A file of the folder that is not read; the message says why."""


def _read(path: str) -> bytes:
    """The bytes of the regular file at ``path``, without following a link put there since it was listed."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise _PassedOver(f"cannot read it: {error.strerror or error}") from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise _PassedOver("not a regular file; not read")
        try:
            data = handle.read(MAX_SOURCE_BYTES + 1)
        except OSError as error:
            raise _PassedOver(f"cannot read it: {error.strerror or error}") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise _PassedOver(f"more than a source may be ({MAX_SOURCE_BYTES // 2**20} MiB); not read")
    return data
