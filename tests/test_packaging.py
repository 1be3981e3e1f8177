"""The package installs anywhere: a wheel carries the templates, static files, fonts and
catalogues, and finds them through importlib.resources; a broken install says so.

The slow test builds the wheel, installs it into a fresh virtual environment (no access to this
checkout or the test environment's packages) and uses it, outside the repository, as a new user
would: ``generate new``, ``check``, ``brief``, an override reaching ``default:``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest

from briefing.build.load import load_dossier
from briefing.errors import DossierError
from briefing.formats.render_html import DEFAULT_TEMPLATES, TemplateSet
from briefing.languages.i18n import LOCALE_DIR
from briefing.package_data import BrokenInstallError, shipped_templates

ROOT = Path(__file__).resolve().parent.parent


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_folder_of_modules_is_a_listed_package() -> None:
    """pyproject.toml lists the packages (it maps templates/ into one): a new subpackage left off
    the list would be missing from the wheel."""
    setuptools = _pyproject()["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    folders = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "briefing").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert folders <= listed, f"add to [tool.setuptools] packages: {sorted(folders - listed)}"
    assert setuptools["package-dir"] == {"briefing.templates": "templates"}


def test_a_checkout_reads_the_templates_at_its_top() -> None:
    """This checkout (and the editable install setup.sh makes) uses templates/ beside the package,
    so an edit to a shipped template shows at once; the catalogues are the package's own."""
    assert (ROOT / "templates").resolve() == DEFAULT_TEMPLATES
    assert (ROOT / "briefing" / "locale").resolve() == LOCALE_DIR


def test_the_templates_inside_the_package_come_first(tmp_path: Path) -> None:
    """A wheel's briefing/templates wins; a folder beside the package counts only in a checkout
    (pyproject.toml beside it), never a stray site-packages/templates of another distribution."""
    site = tmp_path / "site-packages"
    (site / "briefing" / "templates").mkdir(parents=True)
    (site / "templates").mkdir()
    assert shipped_templates(site / "briefing") == site / "briefing" / "templates"
    (site / "briefing" / "templates").rmdir()
    assert shipped_templates(site / "briefing") == site / "briefing" / "templates"  # missing: reported on use
    (site / "pyproject.toml").write_text("", encoding="utf-8")
    assert shipped_templates(site / "briefing") == site / "templates"


def test_missing_templates_are_a_broken_install_not_a_bad_dossier(tmp_path: Path) -> None:
    """Without its templates the tool would find no section kind and blame every section of the
    user's profiles; it says the installation is broken instead."""
    with pytest.raises(BrokenInstallError, match="installation of briefing is broken") as raised:
        load_dossier(ROOT / "data", TemplateSet(default=tmp_path / "templates"))
    assert not isinstance(raised.value, DossierError)


# ---------------------------------------------------------------------------
# A wheel, installed into a fresh environment
# ---------------------------------------------------------------------------

# What a build of the checkout must not copy: environments, caches, outputs (at the top only:
# briefing/build/ is a package).
_NOT_SOURCE_AT_TOP = {".git", ".venv", "build", "dist", "briefs", "site", "node_modules"}


def _not_source(folder: str, names: list[str]) -> set[str]:
    at_top = Path(folder) == ROOT
    return {
        name
        for name in names
        if name == "__pycache__"
        or name.endswith((".egg-info", "_cache"))
        or name == "node_modules"
        or (at_top and name in _NOT_SOURCE_AT_TOP)
    }


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _ok(process: subprocess.CompletedProcess[str]) -> str:
    assert process.returncode == 0, f"{process.args}\n{process.stdout}\n{process.stderr}"
    assert "Traceback" not in process.stderr, process.stderr
    return process.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the checkout (the build writes build/ and *.egg-info there)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(ROOT, source, ignore=_not_source, symlinks=True)
    _ok(
        _run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-w", root, source], root
        )
    )
    (built,) = root.glob("briefing-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel and its dependencies, nothing else: no system
    site-packages, no path to this checkout. Returns its bin folder."""
    root = tmp_path_factory.mktemp("venv")
    venv = root / "venv"
    _ok(_run([sys.executable, "-m", "venv", "--without-pip", venv], root))
    # The test environment's own versions: the dependencies resolve as they did here (from pip's cache).
    constraints = root / "constraints.txt"
    frozen = _ok(_run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"], root)).splitlines()
    constraints.write_text("\n".join(line for line in frozen if "==" in line) + "\n", encoding="utf-8")
    pip: list[str | Path] = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        venv / "bin" / "python",
        "install",
        "--disable-pip-version-check",
    ]
    _ok(_run([*pip, "-c", constraints, wheel], root))
    return venv / "bin"


def _user_env(home: Path) -> dict[str, str]:
    """A user's environment: their own home and cache, no Python paths from the test run."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
    }


@pytest.mark.slow
def test_the_wheel_carries_every_template_static_file_font_and_catalogue(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    shipped = {
        "briefing/templates/" + path.relative_to(ROOT / "templates").as_posix()
        for path in (ROOT / "templates").rglob("*")
        if path.is_file()
    }
    assert shipped, "no templates in the checkout"
    assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)}"
    catalogues = {
        "briefing/" + path.relative_to(ROOT / "briefing").as_posix()
        for path in (ROOT / "briefing" / "locale").rglob("*")
        if path.is_file()
    }
    assert any(name.endswith(".mo") for name in catalogues)
    assert catalogues <= names, f"missing from the wheel: {sorted(catalogues - names)}"
    assert "briefing/py.typed" in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names), "LICENSE is not in the wheel"


@pytest.mark.slow
def test_an_installed_wheel_starts_checks_and_builds_a_dossier_outside_the_repository(
    installed: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = _user_env(home)

    def generate(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return _run([installed / "generate", *args], work, env)

    # The package imported is the installed one, not this checkout.
    where = _ok(_run([installed / "python", "-c", "import briefing; print(briefing.__file__)"], work, env))
    assert Path(where.strip()).is_relative_to(installed.parent), where
    languages = "from briefing.languages.i18n import catalogue_languages; print(catalogue_languages())"
    assert _ok(_run([installed / "python", "-c", languages], work, env)).strip() == "['en', 'ko', 'pl']"

    _ok(generate("new", "topic"))
    checked = _ok(generate("check", "--data", "topic"))
    assert checked.startswith("0 error(s), 0 warning(s)"), checked
    built = _ok(generate("brief", "-a", "all", "--data", "topic", "--out", "out", "--format", "html,pdf,docx"))

    title = next(
        line.split(":", 1)[1].strip().strip("\"'")
        for line in (work / "topic" / "dossier.yaml").read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("title:")
    )
    outputs = sorted((work / "out").iterdir())
    assert {path.suffix for path in outputs} == {".html", ".pdf", ".docx"}, built
    for path in outputs:
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
        elif path.suffix == ".pdf":
            text = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
            assert pypdf.PdfReader(path).pdf_header == "%PDF-1.7"
        else:
            text = "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
        assert " ".join(title.split()[:3]) in " ".join(text.split()), f"{path.name} does not carry the title"

    # A shipped template copied out, and an override that reaches the shipped original by default:.
    _ok(generate("templates", "copy", "sections/facts.html", "--to", "mine"))
    assert (work / "mine" / "sections" / "facts.html").is_file()
    (work / "mine" / "base.html").write_text(
        '{% extends "default:base.html" %}{% block colophon %}<p>Override reached the shipped base</p>'
        "{{ super() }}{% endblock %}",
        encoding="utf-8",
    )
    _ok(
        generate(
            "brief", "-a", "all", "--data", "topic", "--out", "override", "--format", "html", "--templates", "mine"
        )
    )
    (page,) = [path for path in (work / "override").glob("*.html") if not path.name.endswith(".sources.html")]
    assert "Override reached the shipped base" in page.read_text(encoding="utf-8")

    # Without its templates the installation is broken, and says so; the briefs already built stay.
    before = {path: path.read_bytes() for path in outputs}
    site_packages = Path(
        _ok(
            _run([installed / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], work, env)
        ).strip()
    )
    shutil.rmtree(site_packages / "briefing" / "templates")
    for broken in (
        generate("brief", "-a", "all", "--force", "--data", "topic", "--out", "out"),
        generate("check", "--data", "topic"),
    ):
        assert broken.returncode == 1, broken
        assert "this installation of briefing is broken" in broken.stderr, broken.stderr
        assert "Traceback" not in broken.stderr and "problems in the dossier" not in broken.stderr, broken.stderr
    assert {path: path.read_bytes() for path in outputs} == before
