"""What a render may cost: every template runs under a time limit and a memory limit.

Templates may come from someone else, and the sandbox bounds only what they reach, not how long
they run or how much they build.  Two mechanisms, because neither is enough alone:

- **Checks inside the template's own code** (``GuardedCodeGenerator``): every ``for`` loop walks
  its items through a guard that looks at the clock on each step, every call and every piece of
  output does too, and a recursive loop's ``loop(...)`` is guarded like a ``for``.  A loop makes no
  call, so a clock checked only on calls would never stop ``{% for a in l %}{% for b in l %}``;
  checked here it stops at the first step past the limit, and the error names the template's
  file and line.
- **A worker process** (``run_bounded``): the render runs in a child forked for it, with an
  address-space limit, and the parent kills it a moment after the time limit.  Some single
  steps are C code that no check inside Python can interrupt (printing a list nested a million
  deep, sorting or comparing such lists, one huge allocation); they end there, with the line the
  template was at when it was stopped (read from the child's stack by ``faulthandler``).

The child is forked, not spawned: it starts with the parent's compiled templates, fonts and
loaded modules, so a render costs one fork (a few milliseconds), not a new interpreter.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import re
import resource
import select
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from typing import Any, TypeVar

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame

T = TypeVar("T")

# A render may use this much more address space than the process had when it started (a brief
# of the largest dossier needs a few megabytes).
RENDER_MEMORY = 2 * 2**30
# How long past the time limit the parent waits for the child's own clock to stop it (with the
# template's line) before it kills the child.
GRACE_SECONDS = 1.0


class GuardedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every loop's iterable wrapped in ``environment.guard_steps``
    and every ``~`` concatenation's result checked by ``environment.bounded_text``.

    ``VERSION`` is part of the key of compiled templates (``compiled.py``): change it whenever
    the code this writes changes."""

    VERSION = 1

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        line = node.iter.lineno
        steps = nodes.Call(nodes.EnvironmentAttribute("guard_steps", lineno=line), [node.iter], [], None, None)
        guarded = nodes.For(
            node.target,
            steps.set_lineno(line),
            node.body,
            node.else_,
            node.test,
            node.recursive,
            lineno=node.lineno,
        )
        super().visit_For(guarded, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_text(")
        super().visit_Concat(node, frame)
        self.write(")")


class Guarded(Iterable[T]):
    """An iterable whose every step first calls ``check`` (the time limit)."""

    def __init__(self, items: Iterable[T], check: Callable[[], None]) -> None:
        self._items = items
        self._check = check

    def __iter__(self) -> Iterator[T]:
        check = self._check
        for item in self._items:
            check()
            yield item


class SizedGuarded(Guarded[T], Sized):
    """A guarded iterable that is sized like what it walks: ``loop.length`` need not copy it."""

    def __len__(self) -> int:
        return len(self._items)  # type: ignore[arg-type]


def guard(items: Iterable[T], check: Callable[[], None]) -> Guarded[T]:
    return SizedGuarded(items, check) if isinstance(items, Sized) else Guarded(items, check)


# --- The worker process -------------------------------------------------------------


class RenderStopped(Exception):
    """The worker was killed: it ran past the time limit in one step, or died.  ``where`` is the
    innermost template frame of its stack, as (file, Python line of the compiled code), if known."""

    def __init__(self, reason: str, where: tuple[str, int] | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.where = where


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    value: Any


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "darwin"  # macOS: fork is unsafe once frameworks load


def run_bounded(work: Callable[[], T], seconds: float, is_template_file: Callable[[str], bool]) -> T:
    """``work()`` run in a forked child with ``RENDER_MEMORY`` more address space than now, stopped
    ``GRACE_SECONDS`` after ``seconds``.  Its result (or the exception it raised) must pickle.

    Raises ``RenderStopped`` if the child was killed or died without an answer."""
    report_read, report_write = os.pipe()
    stack_read, stack_write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which never returns
        os.close(report_read)
        os.close(stack_read)
        _child(work, seconds, report_write, stack_write)
    os.close(report_write)
    os.close(stack_write)
    try:
        report, stack, status = _collect(child, report_read, stack_read, seconds + GRACE_SECONDS)
    finally:
        os.close(report_read)
        os.close(stack_read)
    if report:
        try:
            outcome = pickle.loads(report)
        except Exception:  # a child killed while writing: treated as one with no answer
            outcome = None
        if isinstance(outcome, _Outcome):
            if outcome.ok:
                return outcome.value  # type: ignore[no-any-return]
            raise outcome.value
    where = _innermost_template_frame(stack.decode("utf-8", "replace"), is_template_file)
    if status is None:
        raise RenderStopped(f"the render took longer than {seconds:g} seconds and was stopped", where)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        reason = "the render was killed (out of memory?)"
    else:
        reason = "the render ended without a result (out of memory?)"
    raise RenderStopped(reason, where)


def _child(work: Callable[[], Any], seconds: float, report: int, stack: int) -> None:  # pragma: no cover
    """Runs in the child: limit memory, arrange for the stack to be written if the time runs out,
    work, write the outcome, and leave without running the parent's exit handlers."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C stops the child at once
        _limit_memory(RENDER_MEMORY)
        # Written by a C thread even while Python is stuck in one long step: where the render was.
        faulthandler.dump_traceback_later(seconds + GRACE_SECONDS / 2, file=stack)
        try:
            outcome = _Outcome(True, work())
        except Exception as error:
            error.__traceback__ = None
            outcome = _Outcome(False, error)
        faulthandler.cancel_dump_traceback_later()
        try:
            data = pickle.dumps(outcome)
        except Exception as error:
            data = pickle.dumps(_Outcome(False, RuntimeError(f"the render's result cannot be passed back: {error}")))
        with os.fdopen(report, "wb") as out:
            out.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _limit_memory(extra: int) -> None:
    """Let this process grow by ``extra`` bytes of address space (never past a lower limit the
    user set with ``ulimit -v``): a template that builds too much then gets a ``MemoryError``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            size = int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return
    limit = size + extra
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _collect(child: int, report: int, stack: int, seconds: float) -> tuple[bytes, bytes, int | None]:
    """Read the child's report and stack until it exits or ``seconds`` pass (then kill it).
    Returns (report, stack, wait status or None if killed for time)."""
    deadline = time.monotonic() + seconds
    received = {report: bytearray(), stack: bytearray()}
    open_pipes = [report, stack]
    killed = False
    try:
        while open_pipes:
            left = deadline - time.monotonic()
            if left <= 0:
                # The stack dump is due half the grace before this: give it a moment to arrive.
                _read_available(open_pipes, received, 0.2)
                os.kill(child, signal.SIGKILL)
                killed = True
                break
            _read_available(open_pipes, received, left)
    finally:
        if not killed and open_pipes:  # interrupted (Ctrl-C): never leave the child running
            os.kill(child, signal.SIGKILL)
        _, status = os.waitpid(child, 0)
    return bytes(received[report]), bytes(received[stack]), None if killed else status


def _read_available(open_pipes: list[int], received: dict[int, bytearray], timeout: float) -> None:
    ready, _, _ = select.select(open_pipes, [], [], timeout)
    for pipe in ready:
        chunk = os.read(pipe, 1 << 20)
        if chunk:
            received[pipe] += chunk
        else:
            open_pipes.remove(pipe)


_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)', re.MULTILINE)


def _innermost_template_frame(dump: str, is_template_file: Callable[[str], bool]) -> tuple[str, int] | None:
    """The innermost frame of a faulthandler dump ("most recent call first") in a template."""
    for match in _FRAME.finditer(dump):
        if is_template_file(match["file"]):
            return match["file"], int(match["line"])
    return None
