"""The English catalogue is complete: every entry translated, none fuzzy, placeholders kept."""

import ast
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$')
# Python %-format placeholders, str.format fields and HTML tags/entities must survive
# translation unchanged, or rendering raises or shows broken markup.
PLACEHOLDER = re.compile(r"%\(\w+\)0?\d*[sd]|\{\w+\}|<[^>]+>|&\w+;")


def entries():
    """One dict per entry of the .po file (header skipped), with a 'fuzzy' flag."""
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        fields, current, fuzzy = {}, None, False
        for line in block.splitlines():
            match = FIELD.match(line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
            elif line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
        if fields.get("msgid"):
            yield {**fields, "fuzzy": fuzzy}


def translations(entry):
    """The msgstr of a singular entry, or every msgstr[n] of a plural one."""
    if "msgid_plural" in entry:
        return [v for k, v in entry.items() if k.startswith("msgstr[")]
    return [entry.get("msgstr", "")]


def test_the_parser_sees_the_whole_catalogue():
    all_entries = list(entries())
    assert len(all_entries) > 1000
    assert any("msgid_plural" in e for e in all_entries)


def test_no_entry_is_untranslated_or_fuzzy():
    # Run makemessages and translate every new msgid before committing (docs/frontend.md).
    fuzzy = [e["msgid"] for e in entries() if e["fuzzy"]]
    empty = [e["msgid"] for e in entries() if not all(translations(e))]
    assert not fuzzy, fuzzy
    assert not empty, empty


def test_plural_entries_have_both_forms():
    for entry in entries():
        if "msgid_plural" in entry:
            assert {"msgstr[0]", "msgstr[1]"} <= entry.keys(), entry["msgid"]


def test_translations_keep_the_placeholders():
    for entry in entries():
        expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for msgstr in translations(entry):
            assert sorted(PLACEHOLDER.findall(msgstr)) == expected, (entry["msgid"], msgstr)
