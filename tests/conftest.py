"""Shared fixtures: the shipped briefs (built once per session), dossier copies to break, PDF text.

Building a PDF takes seconds per audience, so the shipped dossier's briefs are
built once, through the command line, and every test that only reads them
shares that build.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml
from click.testing import CliRunner, Result
from pypdf.generic import ArrayObject, DictionaryObject

from briefing.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------
# The fast loop: `pytest -m "not slow"` leaves out what takes more than a few seconds
# ---------------------------------------------------------------------------

# Kept here, by module and fixture, rather than as a mark in each test file: a new test that uses
# one of these fixtures is slow without anyone remembering to say so. CI runs everything.
SLOW_MODULES = frozenset(
    {
        "test_judges",  # the outside judges: Nu HTML Checker (Java), axe-core in Chromium, PDF/UA rules
        "test_serve",  # a real preview server driven by Chromium
        "test_preview_is_the_build",  # publishes an edition, builds two editions, starts a preview server
        "test_render_limits",  # each test waits out the template time limit or a memory limit
        "test_inert_briefs",  # Chromium and a counting server, from disk and in the preview
        "test_text_layer",  # builds the shipped Korean and Polish PDFs and reads their structure back
        "test_edition_rules",  # builds every Polish and Korean edition
        "test_hostile_editions",  # publishes editions, kills publishes mid-way
        "test_signing",  # builds, publishes and signs PDFs, runs pyHanko's validator
        "test_abbreviations",  # builds the Polish editions
        "test_docx_edition",  # builds the Word editions
    }
)
# Fixtures that build every brief of the shipped dossier or an edition (PDF, Word), or start a
# browser or LibreOffice; named with their module where the name is common.
SLOW_FIXTURES = frozenset(
    {"shipped_briefs", "briefs_dir", "shipped_word_briefs", "word_briefs_dir", "libreoffice_pdfs", "chromium", "page"}
)
SLOW_MODULE_FIXTURES = frozenset(
    {
        ("test_docx", "built"),
        ("test_pdf_quality", "built"),
        ("test_shipped_editions", "shipped_editions"),
        ("test_i18n", "editions"),
        ("test_one_grade", "built"),  # builds every brief of a throwaway dossier, PDFs included
        ("test_serve_security", "server"),  # starts a preview server on a built dossier
    }
)

# Single tests that took 1.5 s or more in the fast subset on the 2-core machine (or more than 5 s
# under load): each renders several PDFs or editions, draws many examples, or waits on a server or
# a browser. The fast loop keeps a few one-audience PDF builds (test_cli, test_new_audience).
SLOW_TESTS = frozenset(
    {
        "test_bad_input_catalogue::test_override_of_brief_css_alone_still_builds_a_pdf",
        "test_audiences::test_omit_policy_drops_f_graded_facts_a_section_lists",
        "test_footnotes_kept::test_the_polish_ministry_brief_prints_every_note",
        "test_bounds::test_check_output_is_capped_with_a_count",
        "test_build_core::test_each_html_is_rendered_once_for_every_format_made_from_it",
        "test_build_core::test_the_sources_page_is_the_same_whichever_format_writes_it",
        "test_cli::test_installed_command_leaves_with_its_exit_code_and_all_its_output",
        "test_incremental::test_each_kind_of_change_rebuilds_what_depends_on_it",
        "test_one_grade::test_omitting_brief_prints_no_words_only_below_bar_sources_state",
        "test_page_budget::test_over_budget_warns_and_strict_writes_nothing",
        "test_page_budget::test_a_core_profile_puts_the_rest_in_an_annex_on_its_own_page",
        "test_page_one_holds::test_an_overtaken_statement_never_reaches_page_one",
        "test_serve_security::test_a_stopped_watcher_is_reported_in_the_terminal_and_the_page",
        "test_serve_security::test_requests_for_another_host_are_refused",
        "test_serve_security::test_watcher_ignores_links_out_of_the_dossier_and_still_rebuilds",
        "test_build_robustness::test_a_10000_character_word_and_long_urls_are_printed_whole",
        "test_build_robustness::test_a_changed_image_named_in_the_css_rebuilds_the_pdf",
        "test_build_robustness::test_ctrl_c_right_after_the_first_move_splits_nothing",
        "test_build_robustness::test_two_builds_into_one_folder_take_turns",
        "test_docx::test_rebuild_is_up_to_date_and_forced_rebuild_is_byte_identical",
        "test_editions::test_publish_then_each_brief_says_what_changed",
        "test_grading_leaks::test_shipped_dossier_omitting_grade_c_shows_none_of_it",
        "test_grading_leaks::test_small_dossier_shows_nothing_below_the_bar",
        "test_i18n::test_a_dossier_without_translations_warns_listing_what_is_untranslated",
        "test_i18n::test_a_translation_stating_other_numbers_is_an_error_at_its_line",
        "test_i18n::test_recipients_get_their_languages_edition_with_the_stamp_translated",
        "test_incremental::test_heavy_renderers_are_imported_only_when_rendering",
        "test_incremental::test_parallel_and_incremental_equal_forced_serial",
        "test_pdf_quality::test_a_table_split_across_pages_keeps_at_least_two_rows_on_each",
        "test_property::test_mangled_dossier_is_reported_with_real_locations",
        "test_quiet_build::test_building_the_shipped_dossier_prints_no_renderer_warning",
        "test_safe_render::test_a_file_inside_the_override_static_folder_is_used",
        "test_safe_render::test_dev_zero_is_refused_and_the_build_ends",
        "test_safe_render::test_failure_in_the_second_audience_pdf_leaves_the_first_audience_files_alone",
        "test_safe_render::test_markup_in_the_data_is_shown_as_text",
        "test_scaffold::test_every_yaml_file_names_its_schema_and_it_is_current",
        "test_scaffold::test_new_dossier_checks_clean_and_builds",
        "test_scaffold::test_schema_validates_the_shipped_dossier",
        "test_serve_security::test_clients_that_hang_up_leave_no_traceback",
        "test_serve_security::test_the_content_security_policy_lets_the_preview_work_in_a_browser",
        "test_serve_security::test_the_pdf_is_answered_with_the_same_protections",
        "test_sanitize_report::test_a_hostile_template_is_named_once_per_brief_and_the_brief_stays_inert",
        "test_sanitize_report::test_the_shipped_and_fictional_dossiers_lose_nothing",
        "test_sanitize_report::test_the_preview_terminal_names_what_was_removed",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.path.stem
        fixtures = set(getattr(item, "fixturenames", ()))
        test = f"{module}::{getattr(item, 'originalname', item.name)}"  # parametrised tests by their function
        if (
            module in SLOW_MODULES
            or test in SLOW_TESTS
            or fixtures & SLOW_FIXTURES
            or any((module, fixture) in SLOW_MODULE_FIXTURES for fixture in fixtures)
        ):
            item.add_marker(pytest.mark.slow)


# ---------------------------------------------------------------------------
# Running the command line
# ---------------------------------------------------------------------------


def run_cli(*args: str | os.PathLike[str]) -> Result:
    """``generate ARGS`` in-process; unexpected exceptions propagate (so a crash fails loudly)."""
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def cli() -> Callable[..., Result]:
    return run_cli


# ---------------------------------------------------------------------------
# The shipped dossier, read straight from YAML (independently of the loader)
# ---------------------------------------------------------------------------


def read_yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="session")
def profiles(repo_root: Path) -> dict[str, dict[str, Any]]:
    """Audience profiles by id, in file order (the order the generator uses)."""
    result = {}
    for path in sorted((repo_root / "data" / "audiences").glob("*.yaml")):
        profile = read_yaml(path)
        result[profile["id"]] = profile
    return result


@pytest.fixture(scope="session")
def dossier_id(repo_root: Path) -> str:
    return str(read_yaml(repo_root / "data" / "dossier.yaml")["dossier"]["id"])


# ---------------------------------------------------------------------------
# The shipped briefs, built once
# ---------------------------------------------------------------------------


@dataclass
class Build:
    """A finished ``generate brief`` run: its result, output folder and files."""

    result: Result
    out: Path
    files: dict[tuple[str, str], Path] = field(default_factory=dict)

    def path(self, audience: str, extension: str) -> Path:
        return self.files[(audience, extension)]


@pytest.fixture(scope="session")
def shipped_briefs(
    tmp_path_factory: pytest.TempPathFactory, repo_root: Path, dossier_id: str, profiles: dict[str, dict[str, Any]]
) -> Build:
    """``generate brief --audience all`` (HTML and PDF) on the shipped data, once per session."""
    out = tmp_path_factory.mktemp("shipped-briefs")
    result = run_cli("brief", "--audience", "all", "--out", out, "--data", repo_root / "data")
    build = Build(result, out)
    for audience in profiles:
        for extension in ("html", "pdf"):
            build.files[(audience, extension)] = out / f"{dossier_id}-{audience}.{extension}"
    return build


# ---------------------------------------------------------------------------
# Copies of the dossier that a test may break
# ---------------------------------------------------------------------------


class DossierCopy:
    """A copy of ``data/`` in a temporary folder; ``edit`` changes one file in place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __fspath__(self) -> str:
        return str(self.root)

    def __str__(self) -> str:
        return str(self.root)

    def file(self, relpath: str) -> Path:
        return self.root / relpath

    def text(self, relpath: str) -> str:
        return self.file(relpath).read_text(encoding="utf-8")

    def edit(self, relpath: str, old: str, new: str) -> int:
        """Replace the one occurrence of ``old`` by ``new``; returns the line (1-based) where it was."""
        text = self.text(relpath)
        count = text.count(old)
        assert count == 1, f"expected exactly one {old!r} in {relpath}, found {count}"
        start = text.index(old)
        self.file(relpath).write_text(text.replace(old, new), encoding="utf-8")
        return text.count("\n", 0, start) + 1

    def line_of(self, relpath: str, needle: str) -> int:
        """The line (1-based) of the one occurrence of ``needle`` in the file as it is now."""
        text = self.text(relpath)
        count = text.count(needle)
        assert count == 1, f"expected exactly one {needle!r} in {relpath}, found {count}"
        return text.count("\n", 0, text.index(needle)) + 1

    def write(self, relpath: str, content: str) -> Path:
        path = self.file(relpath)
        path.write_text(content, encoding="utf-8")
        return path


@pytest.fixture
def make_dossier(tmp_path: Path, repo_root: Path) -> Iterator[Callable[..., DossierCopy]]:
    """Factory: each call copies the shipped ``data/`` to a new folder under ``tmp_path``."""
    made = 0

    def make(with_translations: bool = False) -> DossierCopy:
        nonlocal made
        made += 1
        root = tmp_path / f"dossier-{made}" / "data"
        shutil.copytree(repo_root / "data", root)
        if not with_translations:
            # An English-only copy: a test that edits an English text (to break it) would otherwise
            # also meet the Polish and Korean translations' number check.  Languages are tested on
            # copies that keep them (with_translations=True) and on the fictional dossier.
            shutil.rmtree(root / "translations", ignore_errors=True)
            dossier = root / "dossier.yaml"
            text = dossier.read_text(encoding="utf-8")
            dossier.write_text(re.sub(r"(?m)^  languages: .*\n", "", text), encoding="utf-8")
        return DossierCopy(root)

    yield make


@pytest.fixture(scope="module")
def briefs_dir(
    shipped_briefs: Any, profiles: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The shipped audience PDFs, copied (fresh modification times) into the module's own folder,
    for distribution tests: nothing they do writes into the session's build."""
    folder = tmp_path_factory.mktemp("briefs")
    for audience in profiles:
        source = shipped_briefs.path(audience, "pdf")
        shutil.copyfile(source, folder / source.name)
    return folder


@pytest.fixture(scope="session")
def shipped_word_briefs(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    """``generate brief --format docx`` for the industry audience in English and Polish, once per
    session: each Word brief with the sources page its notes link to, written beside it."""
    out = tmp_path_factory.mktemp("shipped-word-briefs")
    result = run_cli(
        "brief", "-a", "industry", "--format", "docx", "--lang", "en", "--lang", "pl",
        "--out", out, "--data", repo_root / "data",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def word_briefs_dir(briefs_dir: Path, shipped_word_briefs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped audience PDFs and the industry audience's Word briefs (English and Polish) with
    their sources pages, copied (fresh modification times) into the module's own folder, for
    distribution tests whose recipients ask for Word copies: none of them is rebuilt."""
    folder = tmp_path_factory.mktemp("word-briefs")
    for path in [*briefs_dir.glob("*.pdf"), *shipped_word_briefs.glob("*.docx"), *shipped_word_briefs.glob("*.html")]:
        shutil.copyfile(path, folder / path.name)
    return folder


# ---------------------------------------------------------------------------
# Reading briefs back
# ---------------------------------------------------------------------------

# A hyphen WeasyPrint inserted (hyphens: auto) or a soft hyphen, at the end of a line.
_BREAK_HYPHEN = re.compile(r"[\u00ad\u2010\-]\n(?=[a-z])")


def unbreak(raw: str) -> str:
    """Undo line-end hyphenation: 'polit‐\\nical' -> 'political'; drop soft hyphens."""
    return _BREAK_HYPHEN.sub("", raw).replace("\u00ad", "")


def normalise(raw: str) -> str:
    """Text with hyphenation undone and every run of white space made one space."""
    return re.sub(r"\s+", " ", unbreak(raw)).strip()


def squash(text: str) -> str:
    """Letters and digits only, lower case: for finding long sentences whatever the line breaks and quotes."""
    return re.sub(r"[^0-9a-z]", "", unbreak(text).lower())


def text_lines(raw: str) -> set[str]:
    """Each line, and each pair of consecutive lines, white space normalised: where headings are found."""
    lines = [re.sub(r"\s+", " ", line).strip() for line in unbreak(raw).split("\n")]
    return set(lines) | {f"{a} {b}" for a, b in itertools.pairwise(lines)}


def read_pdf(path: Path) -> str:
    """The raw text of every page of a PDF, pages joined by newlines."""
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


# pypdf types every value read from a dictionary as a bare PdfObject; these say (and check) what it is.


def pdf_dict(value: object) -> DictionaryObject:
    """A PDF dictionary read back (a page, the catalogue, the document information)."""
    assert isinstance(value, DictionaryObject), f"expected a PDF dictionary, found {type(value).__name__}"
    return value


def pdf_array(value: object) -> ArrayObject:
    """A PDF array read back."""
    assert isinstance(value, ArrayObject), f"expected a PDF array, found {type(value).__name__}"
    return value


def pdf_string(value: object) -> str:
    """A PDF string or name read back (pypdf's TextStringObject, NameObject, ... are str)."""
    assert isinstance(value, str), f"expected a PDF string, found {type(value).__name__}"
    return value


def read_html_text(path: Path) -> str:
    """The visible text of an HTML brief (tags dropped, entities decoded)."""
    import html

    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


@dataclass(frozen=True)
class BriefText:
    raw: str

    @property
    def flat(self) -> str:
        return normalise(self.raw)

    @property
    def squashed(self) -> str:
        return squash(self.raw)

    @property
    def lines(self) -> set[str]:
        return text_lines(self.raw)

    def says(self, sentence: str) -> bool:
        """Whether the brief contains ``sentence``, ignoring line breaks, hyphenation and punctuation."""
        return squash(sentence) in self.squashed


@pytest.fixture(scope="session")
def pdf_text() -> Callable[[Path], BriefText]:
    cache: dict[Path, BriefText] = {}

    def get(path: Path) -> BriefText:
        if path not in cache:
            cache[path] = BriefText(read_pdf(path))
        return cache[path]

    return get


@pytest.fixture(scope="session")
def html_text() -> Callable[[Path], BriefText]:
    return lambda path: BriefText(read_html_text(path))
