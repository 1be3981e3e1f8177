"""Stage 6: write outputs without ever leaving a half-written file.

All files of a build are first written to temporary files beside their
targets, then moved into place with ``os.replace`` (atomic on one file
system).  If anything fails before the moves, the temporary files are removed
and every earlier output is left exactly as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class OutputFile:
    path: Path
    data: bytes


def write_outputs(files: Sequence[OutputFile]) -> None:
    """Write every file, or none of them."""
    staged: list[tuple[str, Path]] = []
    try:
        for output in files:
            output.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{output.path.name}.", suffix=".tmp", dir=output.path.parent)
            staged.append((temporary, output.path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(output.data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o644)
    except BaseException:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise
    for temporary, target in staged:
        os.replace(temporary, target)
