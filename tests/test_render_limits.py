"""A received template cannot hang a build: whatever it loops over, however it recurses, whatever
it builds, a render stops within the time limit with the template's ``file:line``, exit 1 and
nothing written, and a memory bomb under a memory limit says so at its line.

The limit is set low here (``Sandbox.time_limit``); the shipped default is 60 seconds.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from briefing.build.load import load_with_templates
from briefing.build.render import Charts
from briefing.build.select import select_for_audience
from briefing.errors import TemplateError
from briefing.formats import render_limits
from briefing.formats.compiled import fingerprint
from briefing.formats.render_html import MAX_TEXT, Sandbox, TemplateSet, render_html

LIMIT = 2.0
# A check inside the template stops it at the first step past the limit; the worker is killed
# GRACE_SECONDS later.  Either way well within this (a fork, a compile, a slow shared machine).
STOPPED_WITHIN = LIMIT + render_limits.GRACE_SECONDS + 3.0

LOOPS = {
    "list": "{% set l = range(100000)|list %}{% for a in l %}{% for b in l %}{% endfor %}{% endfor %}",
    "string": '{% set s = "x" * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}',
    "tuple": "{% set t = (range(100000)|list)|batch(1)|map('first')|list %}"
    "{% for a in t %}{% for b in t %}{% endfor %}{% endfor %}",
    "map-generator": "{% set l = range(100000)|list %}"
    "{% for a in l|map('string') %}{% for b in l|map('string') %}{% endfor %}{% endfor %}",
    "select-generator": "{% set l = range(100000)|list %}"
    "{% for a in l|select('odd') %}{% for b in l|reject('odd') %}{% endfor %}{% endfor %}",
    "batch-generator": "{% set l = range(100000)|list %}"
    "{% for a in l %}{% for b in l|batch(1) %}{% endfor %}{% endfor %}",
    "filter-in-output": "{% set l = range(100000)|list %}{% for a in l %}{{ l|map('string')|join|length }}{% endfor %}",
    "loop-with-condition": "{% set l = range(100000)|list %}"
    "{% for a in l if a %}{% for b in l if b %}{% endfor %}{% endfor %}",
    "recursive-loop": "{% set l = range(100000)|list %}"
    "{% for a in [l, l] recursive %}{% for b in l %}{% endfor %}{{ loop(a) if a is iterable }}{% endfor %}",
    # One loop, no call in its body: only the check on each step stops it.
    "steps-without-calls": "{% set a = (range(100000)|list) * 10 %}{% set b = (range(100000)|list) * 10 %}"
    "{% for i in range(100000)|list %}{% if a == b %}{% endif %}{% endfor %}",
    "recursive-macro": "{% macro f(n) %}{% if n < 40 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}",
    "nested-printing": "{% set a = [range(100000)|list] * 1000000 %}{{ a }}",  # one step in C: the worker
    "nested-comparing": "{% set a = [range(100000)|list] * 1000000 %}{% set b = [range(100000)|list] * 1000000 %}"
    "{{ a == b }}",
}


def _override(folder: Path, body: str) -> TemplateSet:
    """An override ``brief.html`` whose lead block (line 3) is ``body``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brief.html").write_text(
        f'{{% extends "default:base.html" %}}\n{{% block lead %}}\n{body}\n{{% endblock %}}\n', encoding="utf-8"
    )
    return TemplateSet(overrides=(folder,))


def _render(repo_root: Path, templates: TemplateSet, use_worker: bool = True) -> tuple[str, float]:
    dossier, loaded = load_with_templates(repo_root / "data", templates)
    brief = select_for_audience(dossier, dossier.audiences[0])
    env = loaded.environment(set())
    env.time_limit = LIMIT
    env.use_worker = use_worker
    started = time.monotonic()
    with pytest.raises(TemplateError) as stopped:
        render_html(brief, loaded, "html", {"draw": Charts(brief, None)}, env=env)
    return str(stopped.value), time.monotonic() - started


@pytest.mark.parametrize("body", LOOPS.values(), ids=LOOPS.keys())
def test_any_loop_stops_within_the_limit_at_its_line(body: str, repo_root: Path, tmp_path: Path) -> None:
    message, seconds = _render(repo_root, _override(tmp_path / "tpl", body))
    assert seconds < STOPPED_WITHIN, message
    assert message.startswith(f"{tmp_path / 'tpl' / 'brief.html'}:3: template error"), message
    assert f"longer than {LIMIT:g} seconds" in message


@pytest.mark.parametrize(
    "kind", ["list", "string", "tuple", "map-generator", "steps-without-calls", "recursive-loop", "recursive-macro"]
)
def test_the_checks_in_the_template_stop_it_without_the_worker(kind: str, repo_root: Path, tmp_path: Path) -> None:
    """The per-step checks alone (no process to kill) stop every loop a template can write."""
    message, seconds = _render(repo_root, _override(tmp_path / "tpl", LOOPS[kind]), use_worker=False)
    assert seconds < LIMIT + 2.0, message
    assert ":3: template error" in message and f"longer than {LIMIT:g} seconds" in message


def test_a_macro_calling_itself_without_end_is_a_template_error(repo_root: Path, tmp_path: Path) -> None:
    body = "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}"
    for use_worker in (True, False):
        message, _ = _render(repo_root, _override(tmp_path / "tpl", body), use_worker)
        assert ":3: template error: a macro, include or recursive loop calls itself too deeply" in message


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('{% set ns = namespace(s="x") %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}', "a text"),
        ('{% set ns = namespace(s="x") %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}', "a text"),
        ("{{ '%0999999999d' % 1 }}", "format width"),
        ("{{ '%*d' % (999999999, 1) }}", "format width"),
        ("{{ '{:>999999999}'.format(1) }}", "format width"),
        ("{{ '{:>{w}}'.format(1, w=999999999) }}", "format width"),
        ("{{ '{:.999999999f}'.format(1.5) }}", "format width"),
    ],
)
def test_texts_a_template_builds_are_bounded(body: str, says: str, repo_root: Path, tmp_path: Path) -> None:
    message, seconds = _render(repo_root, _override(tmp_path / "tpl", body), use_worker=False)
    assert ":3: template error" in message and says in message, message
    assert seconds < LIMIT + 2.0


def test_a_large_output_is_refused(repo_root: Path, tmp_path: Path) -> None:
    body = f"{{% for i in range({MAX_TEXT // 1000 + 10}) %}}{{{{ 'x' * 1000 }}}}{{% endfor %}}"
    message, _ = _render(repo_root, _override(tmp_path / "tpl", body), use_worker=False)
    assert ":3: template error" in message and f"an output longer than {MAX_TEXT} characters" in message


def test_a_stopped_build_exits_1_and_writes_nothing(
    cli: Callable[..., Result], repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Sandbox, "time_limit", LIMIT)
    _override(tmp_path / "tpl", LOOPS["string"])
    out = tmp_path / "out"
    started = time.monotonic()
    result = cli(
        "brief", "-a", "industry", "--format", "html,pdf", "--out", out, "--data", repo_root / "data",
        "--templates", tmp_path / "tpl",
    )  # fmt: skip
    assert time.monotonic() - started < 30
    assert result.exit_code == 1, result.output
    assert "tpl/brief.html:3: template error" in result.output and "longer than 2 seconds" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or list(out.iterdir()) == []


BOMBS = [
    "{{ 'x'|center(4000000000) }}",
    "{{ 'x'|indent(4000000000, true) }}",
    "{{ ('x' * 1000000)|replace('x', 'y' * 1000000) }}",
    "{{ ('x' * 1000000)|wordwrap(1, wrapstring='y' * 1000000) }}",
    "{{ ([('x' * 1000000)] * 100000)|join }}",
]


def _memory_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


@pytest.mark.parametrize("bomb", BOMBS)
def test_a_memory_bomb_under_ulimit_names_its_line(bomb: str, repo_root: Path, tmp_path: Path) -> None:
    """As the README advises: ``ulimit -v``.  The build must say where, and that memory ran out."""
    _override(tmp_path / "tpl", bomb)
    command = [
        sys.executable, str(repo_root / "generate.py"), "brief", "-a", "industry", "--format", "html",
        "--out", str(tmp_path / "out"), "--data", str(repo_root / "data"), "--templates", str(tmp_path / "tpl"),
    ]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, cwd=tmp_path,
        preexec_fn=_memory_limit(3 * 2**30),
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "tpl/brief.html:3: template error:" in output, output
    assert "memory" in output or "not allowed" in output, output
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_the_code_generator_is_part_of_the_compiled_templates_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shipped templates compiled at setup carry the guards; code from another generator is not used."""
    env = TemplateSet().environment()
    before = fingerprint(env)
    monkeypatch.setattr(render_limits.GuardedCodeGenerator, "VERSION", render_limits.GuardedCodeGenerator.VERSION + 1)
    assert fingerprint(env) != before
    source = env.compile("{% for a in b %}{% endfor %}{{ c ~ d }}", raw=True)
    assert "environment.guard_steps" in source and "environment.bounded_text" in source
