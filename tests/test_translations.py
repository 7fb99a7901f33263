"""The translations are complete, compiled, in step with the source, and actually used.

Every language in settings.LANGUAGES other than English (the source language) must have a
catalogue in locale/<code>/LC_MESSAGES/ in which every msgid is translated and nothing is fuzzy,
and whose compiled django.mo says the same as its django.po. The msgids must be exactly those
`makemessages` would find in the source today, and templates may show no text that bypasses gettext.

To fix a failure, see "Translations" in the README.
"""

import ast
import fnmatch
import gettext
import html
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.messages.extract import extract
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
TEMPLATES = ROOT / "templates"
SOURCE_LANGUAGE = "en"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]

# The README's makemessages command, so the test and the catalogues see the same source.
IGNORE = [".venv", "tests", "staticfiles", "devshop"]
SOURCE_SUFFIXES = {".py", ".html", ".txt"}

COMPILE = "run: .venv/bin/python manage.py compilemessages --ignore=.venv"
FIX = (
    "run: .venv/bin/python manage.py makemessages -l nl -l de --no-obsolete --ignore=.venv "
    "--ignore=tests --ignore=staticfiles --ignore=devshop --add-location=file, translate, then "
    "compilemessages; see the README"
)


# --- a small .po reader ------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self):
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def label(self):
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(token: str) -> str:
    # PO strings use C escapes, which a Python string literal reads the same way.
    return ast.literal_eval(token)


def parse_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry: Entry | None = None
    target = None  # (attribute, plural index) the next continuation line appends to

    def finish():
        nonlocal entry
        if entry is not None and (entry.msgid or entry.msgstr):
            entries.append(entry)
        entry = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if entry is not None and entry.msgstr:
                finish()  # a comment after msgstr starts the next entry
            if entry is None:
                entry = Entry(line=number)
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith('"'):
            assert entry is not None and target is not None, f"{path}:{number}: stray string"
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, getattr(entry, name) + _unquote(line))
            continue
        match = KEYWORD.match(line)
        assert match, f"{path}:{number}: cannot read {raw!r}"
        keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
        if keyword in ("msgctxt", "msgid") and entry is not None and entry.msgstr:
            finish()
        if entry is None:
            entry = Entry(line=number)
        entry.obsolete = entry.obsolete or obsolete
        if keyword.startswith("msgstr"):
            position = int(index) if index is not None else 0
            entry.msgstr[position] = value
            target = ("msgstr", position)
        else:
            setattr(entry, keyword, value)
            target = (keyword, None)
            if keyword == "msgid":
                entry.line = number
    finish()
    return entries


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def messages(path: Path) -> list[Entry]:
    """The live entries of a catalogue: no header, no obsolete (#~) entries."""
    return [entry for entry in parse_po(path) if entry.msgid and not entry.obsolete]


def header(path: Path) -> Entry:
    return next(entry for entry in parse_po(path) if entry.msgid == "" and not entry.obsolete)


def nplurals(path: Path) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", header(path).msgstr.get(0, ""))
    assert match, f"{path}: the header has no Plural-Forms"
    return int(match.group(1))


# --- the catalogues are complete ---------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    path = catalogue(language)
    assert path.exists(), f"{path} is missing: {FIX}"
    head = header(path)
    assert "fuzzy" not in head.flags, f"{path}: the header is fuzzy; remove '#, fuzzy' above it"
    assert f"Language: {language}\n" in head.msgstr.get(0, ""), f"{path}: set Language: {language}"
    plural_count = nplurals(path)

    problems = []
    for entry in messages(path):
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.label}")
        expected = range(plural_count) if entry.msgid_plural is not None else range(1)
        if sorted(entry.msgstr) != list(expected):
            problems.append(f"wrong number of plural forms: {entry.label}")
        if not all(entry.msgstr.get(i, "").strip() for i in expected):
            problems.append(f"untranslated: {entry.label}")
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


PLACEHOLDER = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%%")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)")


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_markup(language):
    path = catalogue(language)
    problems = []
    for entry in messages(path):
        for index, text in entry.msgstr.items():
            if not text:
                continue
            source = entry.msgid_plural if index and entry.msgid_plural else entry.msgid
            wanted = sorted(PLACEHOLDER.findall(source))
            got = sorted(PLACEHOLDER.findall(text))
            if entry.msgid_plural is not None:
                # A singular form may spell out the number instead of using it.
                wanted, got = sorted(set(wanted) - {"count"}), sorted(set(got) - {"count"})
            if wanted != got:
                problems.append(f"placeholders {got} instead of {wanted}: {entry.label}")
            if sorted(TAG.findall(source)) != sorted(TAG.findall(text)):
                problems.append(f"HTML tags differ: {entry.label}")
            if source.endswith("\n") != text.endswith("\n"):
                problems.append(f"trailing newline differs: {entry.label}")
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


# --- the compiled catalogues are current -------------------------------------------------------


def _expected_compiled(path: Path) -> dict:
    """What msgfmt puts in the .mo for this .po, keyed as GNUTranslations keys its catalogue."""
    expected = {}
    for entry in messages(path):
        if "fuzzy" in entry.flags or not all(entry.msgstr.values()):
            continue  # msgfmt leaves these out, and the test above reports them
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[msgid] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                expected[(msgid, index)] = text
    return expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    po = catalogue(language)
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: {COMPILE}"
    with mo.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)
    compiled.pop("", None)  # the header
    expected = _expected_compiled(po)

    stale = sorted(str(key) for key in expected if compiled.get(key) != expected[key])
    extra = sorted(str(key) for key in compiled if key not in expected)
    assert not stale and not extra, (
        f"{mo} is out of date with {po.name} ({COMPILE}).\n"
        f"  missing or different in the .mo: {stale[:10]}\n  only in the .mo: {extra[:10]}"
    )


# --- the catalogues hold exactly the source's messages -----------------------------------------


# The calls makemessages looks for, in Babel's notation: GNU gettext is not needed to run this.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def _source_files():
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [
            name
            for name in subdirectories
            if not name.startswith(".")
            and name != "__pycache__"
            and not any(fnmatch.fnmatchcase(name, pattern) for pattern in IGNORE)
        ]
        for name in files:
            if Path(name).suffix in SOURCE_SUFFIXES:
                yield Path(directory) / name


def messages_in_source() -> set:
    """What makemessages would find: templates go through Django's own templatize() first."""
    found = set()
    for path in _source_files():
        source = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            source = templatize(source, origin=str(path))
        for _line, message, _comments, context in extract(
            "python", io.BytesIO(source.encode()), keywords=KEYWORDS
        ):
            singular, plural = message if isinstance(message, tuple) else (message, None)
            found.add((context, singular, plural))
    return found


def test_catalogues_hold_exactly_the_messages_in_the_source():
    in_source = messages_in_source()
    assert in_source, "no messages found in the source at all"

    problems = []
    for language in LANGUAGES:
        in_catalogue = {entry.key for entry in messages(catalogue(language))}
        problems += [
            f"{language}: not in the catalogue: {key[1]!r}"
            for key in sorted(in_source - in_catalogue, key=str)
        ]
        problems += [
            f"{language}: no longer in the source: {key[1]!r}"
            for key in sorted(in_catalogue - in_source, key=str)
        ]
    assert not problems, f"The catalogues are not in step with the source ({FIX}):\n  " + (
        "\n  ".join(problems)
    )


# --- templates show no text that bypasses gettext ----------------------------------------------

# Attributes a person reads or hears; everything else in a tag is markup.
READABLE_ATTRIBUTES = {
    "alt",
    "title",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-placeholder",
    "aria-valuetext",
    "label",
}
# An <input> shows its value on a button; a <button> shows its content, which is text anyway.
BUTTON_INPUT = re.compile(
    r"""^<input\b.*\btype\s*=\s*["']?(?:submit|button|reset)\b""", re.I | re.S
)
# Text that may stand in a template as it is, in every language. Keep this short.
ALLOWED = frozenset()

TEMPLATE_REMOVALS = [
    re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%.*?%}", re.S),
    re.compile(r"{{.*?}}", re.S),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I),
]
HTML_TAG = re.compile(r"<[!/?]?[a-zA-Z][^>]*>", re.S)
ATTRIBUTE = re.compile(r"""([^\s"'=<>/]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.S)
ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
# Words, joined across the spaces and punctuation of a sentence but not across a removed tag.
LETTERS = re.compile(r"[^\W\d_]+(?:[ '’.,:;!?()-]{1,2}[^\W\d_]+)*")


def _blank(text: str) -> str:
    """The same length and line breaks, no content: keeps line numbers right."""
    return re.sub(r"[^\n]", " ", text)


def _readable_parts_of_tag(tag: str) -> str:
    kept = [" "] * len(tag)
    for match in ATTRIBUTE.finditer(tag):
        name = match.group(1).lower()
        readable = name in READABLE_ATTRIBUTES or (name == "value" and BUTTON_INPUT.search(tag))
        if readable:
            group = next(g for g in (2, 3, 4) if match.group(g) is not None)
            kept[match.start(group) : match.end(group)] = match.group(group)
    return "".join(ch if ch == "\n" else kept[i] for i, ch in enumerate(tag))


def visible_text(source: str) -> str:
    """The template's text as a person would see it, with everything gettext covers removed."""
    for pattern in TEMPLATE_REMOVALS:
        source = pattern.sub(lambda m: _blank(m.group(0)), source)
    source = HTML_TAG.sub(lambda m: _readable_parts_of_tag(m.group(0)), source)
    return source


def untranslated_text(source: str) -> list[tuple[int, str]]:
    text = ENTITY.sub(lambda m: html.unescape(m.group(0)), visible_text(source))
    return [
        (text.count("\n", 0, match.start()) + 1, match.group(0))
        for match in LETTERS.finditer(text)
        if match.group(0) not in ALLOWED
    ]


def test_the_checker_finds_untranslated_text():
    template = (
        '{% load i18n %}<p title="Hello there">{% translate "Fine" %} Oops</p>\n'
        '<img alt="{{ x }}" src="a.png">{# hidden #}<!-- hidden -->'
        "<script>var hidden = 1;</script>{% blocktranslate %}Fine {{ x }}{% endblocktranslate %}"
        '&nbsp;&times; · <input type="submit" value="Go"><input value="typed">'
    )
    assert untranslated_text(template) == [(1, "Hello there"), (1, "Oops"), (2, "Go")]


def template_files():
    return sorted(
        path for path in TEMPLATES.rglob("*") if path.suffix in {".html", ".txt"} and path.is_file()
    )


def test_templates_show_no_text_outside_translation_tags():
    assert template_files(), f"no templates found under {TEMPLATES}"
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in template_files()
        for line, text in untranslated_text(path.read_text(encoding="utf-8"))
    ]
    assert not problems, (
        "Visible text outside {% translate %} / {% blocktranslate %}:\n  " + "\n  ".join(problems)
    )


# --- the shopper sees the translations ---------------------------------------------------------

FIND_MY_ORDER = {"nl": "Mijn bestelling zoeken", "de": "Meine Bestellung finden"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_start_page_is_shown_in_the_shoppers_language(client, language):
    with translation.override(language):
        # The header goes to LocaleMiddleware, which picks the request's language itself.
        response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
        expected = [
            translation.gettext("Find my order"),
            translation.gettext("Return or report a problem"),
            translation.gettext("Order number"),
            translation.gettext("Email address"),
        ]
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in page
    for text in expected:
        assert text in page, f"{text!r} is not on the {language} start page"
    assert "Find my order" not in page and "Order number" not in page
    if language in FIND_MY_ORDER:
        assert FIND_MY_ORDER[language] in page
