"""Editions in Polish and Korean: catalogues, locale formatting, translation files, lang marking.

The fictional dossier (tests/fixtures/fictional) is copied, declares ``languages: [en, pl, ko]``
and gets the fictional translations in tests/fixtures/fictional-translations/ (Polish: all of
it; Korean: the water ministry's brief).  Briefs are built through the command line and read
back with pypdf.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from click.testing import Result
from conftest import pdf_dict

from briefing.dossier.locators import parse_locator
from briefing.languages import i18n
from briefing.languages.i18n import format_partial_date, number_difference, stated_numbers

REPO = Path(__file__).resolve().parent.parent
FICTIONAL = REPO / "tests" / "fixtures" / "fictional"
TRANSLATIONS = REPO / "tests" / "fixtures" / "fictional-translations"
LOCALE = REPO / "briefing" / "locale"
DOSSIER_ID = "orm-strait-treaty"
AUDIENCES = ("assembly", "ferry-board", "water-ministry")


def copy_fictional(
    root: Path, languages: str | None = "[en, pl, ko]", translations: tuple[str, ...] = ("pl", "ko")
) -> Path:
    data = root / "data"
    shutil.copytree(FICTIONAL, data)
    if languages:
        dossier = data / "dossier.yaml"
        text = dossier.read_text(encoding="utf-8")
        dossier.write_text(text.replace("  language: en\n", f"  language: en\n  languages: {languages}\n", 1), "utf-8")
    if translations:
        (data / "translations").mkdir()
        for language in translations:
            shutil.copy(TRANSLATIONS / f"{language}.yaml", data / "translations" / f"{language}.yaml")
    return data


def pdf_text(path: Path) -> str:
    """The text of every page, line-end hyphenation undone, white space (no-break too) as one space."""
    raw = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    raw = re.sub(r"[\u00ad\u2010-]\n(?=[^\W\d_])", "", raw).replace("\u00ad", "")
    return re.sub(r"\s+", " ", raw)


def pdf_language(path: Path) -> str:
    return str(pdf_dict(pypdf.PdfReader(path).trailer["/Root"]).get("/Lang"))


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory, cli_module: Callable[..., Result]) -> dict[str, Any]:
    """The Polish edition of every audience and the Korean water ministry brief, built once."""
    root = tmp_path_factory.mktemp("editions")
    data = copy_fictional(root)
    out = root / "briefs"
    polish = cli_module("brief", "-a", "all", "--lang", "pl", "--data", data, "--out", out)
    korean = cli_module("brief", "-a", "water-ministry", "--lang", "ko", "--data", data, "--out", out)
    return {"data": data, "out": out, "pl": polish, "ko": korean}


@pytest.fixture(scope="module")
def cli_module() -> Callable[..., Result]:
    from conftest import run_cli

    return run_cli


# ---------------------------------------------------------------------------
# Locale formatting and reading numbers back
# ---------------------------------------------------------------------------


def test_dates_are_written_in_each_language() -> None:
    assert format_partial_date("2026-11-22", "pl") == "22 listopada 2026"
    assert format_partial_date("2024-10", "pl") == "październik 2024"  # a month alone: nominative
    assert format_partial_date("2026-11-22", "ko") == "2026년 11월 22일"
    assert format_partial_date("2024-10", "ko") == "2024년 10월"
    assert format_partial_date("2024-10-31", "en") == "31 October 2024"
    assert format_partial_date("2024", "pl") == "2024"


def test_numbers_are_written_in_each_language() -> None:
    assert i18n.format_number(16.6, "pl") == "16,6"
    assert i18n.format_number(10000, "pl") == "10\u00a0000"
    assert i18n.format_number(1000, "pl") == "1000"  # CLDR groups Polish numbers from five digits
    assert i18n.format_number(10000, "ko") == "10,000"
    assert i18n.format_percent(55, "pl") == "55%"
    assert i18n.figure_text(16.6, "USD billion", "pl", {})[0] == "16,6\u00a0mld\u00a0USD"
    forms = {"one": "czołg", "few": "czołgi", "many": "czołgów", "other": "czołgu"}
    assert [i18n.figure_text(n, "tanks", "pl", {"tanks": forms})[0] for n in (1, 3, 180)] == [
        "1 czołg",
        "3 czołgi",
        "180 czołgów",
    ]


def test_numbers_are_read_back_in_each_language() -> None:
    english = "The $16.6 billion deal of 22 November 2026 covers 1,000 tanks; more may follow in May 2024."
    polish = (
        "Umowa o wartości 16,6 mld USD z 22 listopada 2026 r. obejmuje 1000 czołgów; w maju 2024 mogą dojść kolejne."
    )
    korean = "2026년 11월 22일 체결된 166억 달러 규모의 계약은 전차 1,000대를 포함하며, 2024년 5월 추가될 수 있다."
    assert stated_numbers(english, "en") == stated_numbers(polish, "pl") == stated_numbers(korean, "ko")
    assert number_difference("$16.6 billion", "en", "16,6 mln USD", "pl") is not None
    assert number_difference("410,000 passengers", "en", "410 000 pasażerów", "pl") is None
    assert number_difference("the first season", "en", "w 1. sezonie", "pl") is not None
    # A ko scale joins its number ("166억"); a word after a space is not one ("K239 천무" is a name).
    assert number_difference("239 K239 Chunmoo launchers", "en", "K239 천무 발사대 239대", "ko") is None
    assert number_difference("10,000 troops", "en", "1만 명", "ko") is None


# ---------------------------------------------------------------------------
# The catalogues
# ---------------------------------------------------------------------------


def extracted_msgids(root: Path = REPO) -> set[str]:
    """Every msgid in the templates and the package, extracted with Babel's API as ``pybabel extract`` does."""
    with open(root / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]  # untyped in Babel
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = set()
    for _, _, message, _, _ in extract_from_dir(root, method_map, options_map, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def untranslated(msgids: set[str], language: str) -> list[str]:
    with open(LOCALE / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    missing = []
    for msgid in sorted(msgids):
        message = catalogue.get(msgid)
        strings = message.string if message is not None else None
        texts = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not all(texts):
            missing.append(msgid)
    return missing


@pytest.mark.parametrize("language", ["pl", "ko"])
def test_every_string_the_tool_prints_has_a_translation(language: str) -> None:
    msgids = extracted_msgids()
    assert len(msgids) > 20
    assert untranslated(msgids, language) == []


def test_a_new_template_string_without_translation_is_caught(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "babel.cfg", root / "babel.cfg")
    (root / "briefing").mkdir()
    (root / "templates" / "sections" / "new-kind.html").write_text('<p>{{ _("A label nobody translated") }}</p>\n')
    assert untranslated(extracted_msgids(root), "pl") == ["A label nobody translated"]


@pytest.mark.parametrize("language", ["pl", "ko"])
def test_compiled_catalogues_are_up_to_date(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as handle:
        source = read_po(handle)
    with open(folder / "messages.mo", "rb") as handle:
        compiled = read_mo(handle)

    def entries(catalogue: Any) -> dict[Any, Any]:
        return {
            tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id: tuple(m.string)
            if isinstance(m.string, (list, tuple))
            else m.string
            for m in catalogue
            if m.id and m.string and not m.fuzzy
        }

    expected, actual = entries(source), entries(compiled)
    assert actual == expected, "run: bash scripts/catalogue.sh"


_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def placeholder_problems(catalogue: Any) -> list[str]:
    """Every translation whose named placeholders are not its message's: a name the message does
    not pass (a KeyError when printed), or one it must print and leaves out.  A counted message's
    forms may leave the count out only in a singular form; a language with one form (Korean)
    must print it (Babel's own compile check compares that form with the English singular)."""
    problems = []
    forms = catalogue.num_plurals
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        passed = set().union(*(_PLACEHOLDER.findall(text) for text in ids))
        for index, text in enumerate(strings):
            if not text:
                continue
            names = set(_PLACEHOLDER.findall(text))
            required = passed - {"num"}
            if len(ids) > 1 and "num" in passed and (forms == 1 or index > 0):
                required |= {"num"}
            if names - passed or required - names:
                problems.append(f"{ids[0]!r} [{index}]: has {sorted(names)}, the message passes {sorted(passed)}")
    return problems


@pytest.mark.parametrize("language", ["pl", "ko"])
def test_every_translation_prints_exactly_its_messages_placeholders(language: str) -> None:
    with open(LOCALE / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    assert placeholder_problems(catalogue) == []


def test_a_wrong_placeholder_is_caught(tmp_path: Path) -> None:
    po = tmp_path / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: ko\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#, python-format\nmsgid "One item (grade %(grade)s)."\nmsgid_plural "%(num)d items (grade %(grade)s)."\n'
        'msgstr[0] "항목 %(num)d건 (%(grades)s 등급)."\n',
        encoding="utf-8",
    )
    with open(po, "rb") as handle:
        problems = placeholder_problems(read_po(handle))
    assert len(problems) == 1 and "grades" in problems[0]


# ---------------------------------------------------------------------------
# Translation files
# ---------------------------------------------------------------------------


def test_a_translation_stating_other_numbers_is_an_error_at_its_line(
    tmp_path: Path, cli_module: Callable[..., Result]
) -> None:
    data = copy_fictional(tmp_path, "[en, pl]", ("pl",))
    path = data / "translations" / "pl.yaml"
    text = path.read_text(encoding="utf-8")
    # The statement's value starts on the line after the fact's id ("statement: >-").
    line = text[: text.index("  crossing-and-passengers:")].count("\n") + 2
    path.write_text(text.replace("410 000", "410 500"), encoding="utf-8")
    result = cli_module("check", "--data", data)
    assert result.exit_code == 1
    assert f"translations/pl.yaml:{line}:16: facts.crossing-and-passengers.statement:" in result.output
    assert "the original has 410,000 where the translation has 410,500" in result.output
    built = cli_module("brief", "-a", "assembly", "--lang", "pl", "--data", data, "--out", tmp_path / "out")
    assert built.exit_code == 1 and not (tmp_path / "out").exists()
    assert f"translations/pl.yaml:{line}:16:" in built.output
    # The original edition does not depend on the translation: an analyst who has just changed a
    # number in the original can still build it while the translator catches up.
    original = cli_module("brief", "-a", "assembly", "--data", data, "--out", tmp_path / "out-en")
    assert original.exit_code == 0, original.output


def test_a_translation_that_drops_a_hedge_is_warned_at_its_line(
    tmp_path: Path, cli_module: Callable[..., Result]
) -> None:
    """"may be renewed" translated as "will be renewed" ("zostanie przedłużony") changes what the
    source says: check warns at the translation's line, naming the hedge; the faithful "może
    zostać przedłużony" gives no such warning."""
    data = copy_fictional(tmp_path, "[en, pl]", ("pl",))
    faithful = cli_module("check", "--data", data)
    assert "keeps no word of that kind" not in faithful.output, faithful.output
    path = data / "translations" / "pl.yaml"
    text = path.read_text(encoding="utf-8")
    line = text[: text.index("i może zostać przedłużony")].count("\n") + 1
    path.write_text(text.replace("i może zostać przedłużony", "i zostanie przedłużony"), encoding="utf-8")
    result = cli_module("check", "--data", data)
    assert result.exit_code == 0, result.output  # a warning: a hedge may be kept in words the checks do not know
    assert f"translations/pl.yaml:{line}:" in result.output
    assert "the original says 'may'; the translation (pl) keeps no word of that kind" in result.output


def test_quotes_ids_and_unknown_items_are_refused_with_file_and_line(
    tmp_path: Path, cli_module: Callable[..., Result]
) -> None:
    data = copy_fictional(tmp_path, "[en, pl]", ("pl",))
    path = data / "translations" / "pl.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  treaty-has-held:\n", "  treaty-has-hold:\n", 1)
    text = text.replace(
        '      treaty.duration: {text: "25 lat"}\n', '      treaty.duration: {text: "25 lat"}\n    quote: "x"\n'
    )
    path.write_text(text, encoding="utf-8")
    result = cli_module("check", "--data", data)
    assert result.exit_code == 1
    assert re.search(
        r"translations/pl\.yaml:\d+:\d+: facts\.treaty-duration\.quote: never translated: quotes", result.output
    )
    assert "unknown fact 'treaty-has-hold' (did you mean 'treaty-has-held'?)" in result.output


def test_an_undeclared_language_is_a_usage_error(tmp_path: Path, cli_module: Callable[..., Result]) -> None:
    data = copy_fictional(tmp_path, "[en, pl]", ("pl",))
    result = cli_module("brief", "-a", "assembly", "--lang", "de", "--data", data, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "unknown language 'de'" in result.output and "en, pl, all" in result.output


@pytest.mark.parametrize("command", ["check", "brief"])
def test_a_declared_language_without_a_catalogue_is_an_error_at_its_line(
    tmp_path: Path, cli_module: Callable[..., Result], command: str
) -> None:
    """A language the tool cannot write ('zz': no catalogue, no locale) is refused where it is
    declared, with no traceback from formatting numbers in it, and nothing is written."""
    data = copy_fictional(tmp_path, "[en, pl, ko, zz]")
    extra = ["-a", "all", "--lang", "all", "--out", str(tmp_path / "out")] if command == "brief" else []
    result = cli_module(command, "--data", data, *extra)
    assert result.exit_code == 1, result.output
    assert "dossier.yaml:" in result.output and "dossier.languages[3]" in result.output
    assert "no message catalogue for 'zz'" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert not (tmp_path / "out").exists()


def test_a_dossier_without_translations_warns_listing_what_is_untranslated(
    tmp_path: Path, cli_module: Callable[..., Result]
) -> None:
    data = copy_fictional(tmp_path, "[en, pl]", ())
    result = cli_module("check", "--data", data)
    assert result.exit_code == 0
    assert re.search(r"dossier\.yaml:\d+:\d+: dossier\.languages\[1\]: pl: \d+ facts not translated", result.output)
    assert "treaty-purpose (statement)" in result.output
    assert cli_module("check", "--strict", "--data", data).exit_code == 1
    built = cli_module("brief", "-a", "assembly", "--lang", "pl", "--data", data, "--out", tmp_path / "out")
    assert built.exit_code == 0, built.output
    pdf = tmp_path / "out" / f"{DOSSIER_ID}-assembly.pl.pdf"
    assert pdf_language(pdf) == "pl"
    text = pdf_text(pdf)
    assert "15 maja 2031" in text  # the brief's date in Polish, though nothing is translated
    assert_no_english_interface_words(text, data)
    html = (tmp_path / "out" / f"{DOSSIER_ID}-assembly.pl.html").read_text(encoding="utf-8")
    # The untranslated statements are marked as English inside the Polish page.
    assert '<span lang="en">Aldmark pays A$0.35 for each cubic metre delivered.</span>' in html


# ---------------------------------------------------------------------------
# The Polish and Korean briefs, read back
# ---------------------------------------------------------------------------


def english_msgids(language: str) -> list[str]:
    """The catalogue's English strings whose translation differs (those the brief must not print)."""
    with open(LOCALE / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    found = []
    for message in catalogue:
        if not message.id:
            continue
        ids, strings = _texts(message.id), _texts(message.string)
        for msgid in ids:
            # "Art. %(number)s" -> "art. %(number)s": the same word, only written in lower case.
            if msgid.lower() not in {string.lower() for string in strings}:
                found.append(msgid)
    return found


def _texts(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """A message's id or string as read from a .po file: one text, or a tuple of them (plural forms)."""
    if isinstance(value, tuple):
        return value
    assert isinstance(value, str), value
    return (value,)


def assert_no_english_interface_words(text: str, data: Path) -> None:
    import yaml

    # What stays in the original by design (sources' titles and names, locators) or for want of a
    # translation: every text of the dossier's own files is taken out before looking for the
    # tool's words.
    kept: list[str] = []

    def texts(value: Any) -> None:
        if isinstance(value, str):
            kept.append(re.sub(r"\s+", " ", value).strip())
            with contextlib.suppress(ValueError):  # a locator: its headings are kept as the source writes them
                kept.extend(part.words for part in parse_locator(value).parts if part.words)
        elif isinstance(value, dict):
            for item in value.values():
                texts(item)
        elif isinstance(value, list):
            for item in value:
                texts(item)

    for path in [*data.glob("*.yaml"), *data.glob("audiences/*.yaml")]:
        texts(yaml.safe_load(path.read_text(encoding="utf-8")))
    for words in sorted(kept, key=len, reverse=True):
        if len(words) > 3:
            text = text.replace(words, " ")
    for msgid in english_msgids("pl"):
        for fragment in re.split(r"%\(\w+\)[sd]|%[sd]", msgid):
            fragment = fragment.strip(" .,:;()…")
            if len(fragment) < 3:
                continue
            pattern = r"(?<!\w)" + re.escape(fragment).replace(r"\ ", r"\s+") + r"(?!\w)"
            assert not re.search(pattern, text, re.IGNORECASE), f"English interface text {fragment!r} in a Polish brief"


@pytest.mark.parametrize("audience", AUDIENCES)
def test_polish_briefs_have_polish_language_dates_numbers_and_words(editions: dict[str, Any], audience: str) -> None:
    assert editions["pl"].exit_code == 0, editions["pl"].output
    out: Path = editions["out"]
    pdf = out / f"{DOSSIER_ID}-{audience}.pl.pdf"
    html = (out / f"{DOSSIER_ID}-{audience}.pl.html").read_text(encoding="utf-8")
    assert pdf_language(pdf) == "pl"
    assert '<html lang="pl"' in html
    text = pdf_text(pdf)
    assert "15 maja 2031" in text and "May 2031" not in text
    assert not re.search(
        r"\b(January|February|March|April|June|July|August|September|October|November|December)\b", text
    )
    assert_no_english_interface_words(text, editions["data"])


def shown_figures(data: Path, audience: str, language: str) -> list[Any]:
    """The figures the brief of ``audience`` in ``language`` shows, with their original texts."""
    from briefing.build.load import load
    from briefing.build.select import select_for_audience
    from briefing.formats.render_html import TemplateSet

    loaded = load(data, TemplateSet())
    edition = loaded.edition(language).dossier
    index = [a.id for a in loaded.dossier.audiences].index(audience)
    brief = select_for_audience(edition, edition.audiences[index])
    originals = {f.id: f for f in loaded.dossier.facts}
    shown = []
    # The facts a section of kind "facts" or "comparison" prints (other kinds select facts but show their own items).
    printed = [view for view in brief.sections if view.kind in ("facts", "comparison")]
    claims = [*brief.key_points, *(c for view in printed for c in view.facts)]
    claims += [c for view in brief.sections for comparison in view.comparisons for c in comparison.claims]
    for claim in claims:
        if claim.kind == "fact":
            shown += originals[claim.id].figures
    return shown


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_figure_shown_is_in_its_polish_form(editions: dict[str, Any], audience: str) -> None:
    text = pdf_text(editions["out"] / f"{DOSSIER_ID}-{audience}.pl.pdf")
    checked = 0
    for figure in shown_figures(editions["data"], audience, "pl"):
        written = re.search(r"\d[\d,]*(?:\.\d+)?", figure.text)
        if written is None:
            continue  # written as a word in the source ("six")
        number = float(written.group().replace(",", ""))
        polish = i18n.format_number(number, "pl").replace("\u00a0", " ")
        assert re.search(rf"(?<![\d,]){re.escape(polish)}(?![\d,])", text), f"{polish} ({figure.text}) not in the brief"
        if "," in written.group() or "." in written.group():
            assert written.group() not in text, f"English form {written.group()} in a Polish brief"
        checked += 1
    assert checked


def test_untranslated_text_keeps_its_own_language(editions: dict[str, Any]) -> None:
    html = (editions["out"] / f"{DOSSIER_ID}-water-ministry.ko.html").read_text(encoding="utf-8")
    assert '<html lang="ko"' in html
    # The Korean file leaves the recommendations in English: each is marked as such.
    assert '<span lang="en">Publish the water accounts every quarter</span>' in html
    # In attributes and the title a span cannot be: the markers are gone, not printed.
    assert "\ufdd0" not in html and "\ufdd2" not in html


def test_korean_brief_embeds_hangul_that_extracts_as_text(editions: dict[str, Any]) -> None:
    assert editions["ko"].exit_code == 0, editions["ko"].output
    pdf = editions["out"] / f"{DOSSIER_ID}-water-ministry.ko.pdf"
    assert pdf_language(pdf) == "ko"
    text = pdf_text(pdf)
    assert "조약은 오름 해협을 가로지르는" in text
    assert "2031년 5월 15일" in text
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    fonts = set()
    for page in reader.pages:
        for font in (pdf_dict(page["/Resources"]).get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts") or [font]
            for descendant in descendants:
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None and any(
                    key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    fonts.add(str(font.get("/BaseFont")))
    assert any("KR" in name or "CJK" in name for name in fonts), fonts
    assert "\ufffd" not in text and "□" not in text


def test_editions_are_up_to_date_per_language(tmp_path: Path, cli_module: Callable[..., Result]) -> None:
    data = copy_fictional(tmp_path, "[en, pl]", ("pl",))
    out = tmp_path / "out"
    first = cli_module("brief", "-a", "assembly", "--lang", "all", "--format", "html", "--data", data, "--out", out)
    assert first.exit_code == 0, first.output
    assert sorted(path.name for path in out.iterdir()) == [
        f"{DOSSIER_ID}-assembly.html",
        f"{DOSSIER_ID}-assembly.pl.html",
        f"{DOSSIER_ID}-assembly.pl.sources.html",  # the pages the notes link to
        f"{DOSSIER_ID}-assembly.sources.html",
    ]
    # A change to the Polish translation renders the Polish edition again, and only that.
    path = data / "translations" / "pl.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Pieniądze i woda", "Finanse i woda"), encoding="utf-8")
    again = cli_module("brief", "-a", "assembly", "--lang", "all", "--format", "html", "--data", data, "--out", out)
    assert f"up to date {out / f'{DOSSIER_ID}-assembly.html'}" in again.output
    assert f"wrote {out / f'{DOSSIER_ID}-assembly.pl.html'}" in again.output
    # Set in Polish typography: no line ends with the one-letter "i".
    assert "Finanse i\u00a0woda" in (out / f"{DOSSIER_ID}-assembly.pl.html").read_text(encoding="utf-8")


def test_recipients_get_their_languages_edition_with_the_stamp_translated(
    tmp_path: Path, cli_module: Callable[..., Result]
) -> None:
    data = copy_fictional(tmp_path)
    recipients = tmp_path / "recipients.yaml"
    recipients.write_text(
        "# FICTIONAL recipients\n"
        "recipients:\n"
        "  - {name: Jan Kowalski, organisation: Komisja Zgromadzenia, audience: assembly, email: j@example.org,"
        " language: pl}\n"
        "  - {name: Kim Min-jun, organisation: 수자원부, audience: water-ministry, email: k@example.org,"
        " language: ko}\n"
        "  - {name: Ann Smith, organisation: Water Board, audience: water-ministry, email: a@example.org}\n",
        encoding="utf-8",
    )
    out, briefs = tmp_path / "copies", tmp_path / "briefs"
    result = cli_module("distribute", "--data", data, "--list", recipients, "--out", out, "--briefs", briefs)
    assert result.exit_code == 0, result.output
    assert (briefs / f"{DOSSIER_ID}-assembly.pl.pdf").is_file() and (
        briefs / f"{DOSSIER_ID}-water-ministry.ko.pdf"
    ).is_file()
    polish = pdf_text(next((out / "assembly").glob(f"{DOSSIER_ID}-assembly.pl-jan-kowalski-*.pdf")))
    assert "UNCLASSIFIED · Adresat: Jan Kowalski, Komisja Zgromadzenia — egzemplarz 1 z 1" in polish
    assert "15 maja 2031" in polish
    korean = pdf_text(next((out / "water-ministry").glob(f"{DOSSIER_ID}-water-ministry.ko-*.pdf")))
    assert "Kim Min-jun, 수자원부 귀중 — 사본 1부 중 제1부" in korean
    english = pdf_text(next((out / "water-ministry").glob(f"{DOSSIER_ID}-water-ministry-ann-smith-*.pdf")))
    assert "Prepared for Ann Smith, Water Board — copy 1 of 1" in english


def test_a_recipient_language_the_dossier_lacks_is_refused_at_its_line(
    tmp_path: Path, cli_module: Callable[..., Result]
) -> None:
    data = copy_fictional(tmp_path, "[en, pl]", ("pl",))
    recipients = tmp_path / "recipients.yaml"
    recipients.write_text(
        "recipients:\n  - {name: Ann Smith, organisation: Water Board, audience: assembly, email: a@example.org,"
        " language: de}\n",
        encoding="utf-8",
    )
    result = cli_module("distribute", "--data", data, "--list", recipients, "--out", tmp_path / "copies")
    assert result.exit_code == 1
    assert "recipients.yaml:2:1: language: 'de' is not one of the dossier's languages (en, pl" in result.output
    assert not (tmp_path / "copies").exists()
