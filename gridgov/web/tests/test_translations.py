"""The English catalogue: compiled, and in step with its source."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$')


def po_entries(path):
    """(context, msgid, msgstr) of every singular entry of a .po file (fuzzy ones skipped)."""
    for block in path.read_text(encoding="utf-8").split("\n\n"):
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
        if fields.get("msgid") and "msgid_plural" not in fields and not fuzzy:
            yield fields.get("msgctxt"), fields["msgid"], fields.get("msgstr", "")


def test_compiled_catalogue_matches_the_po_file():
    # The .mo is committed so installations need no gettext tools; it must be recompiled
    # whenever the .po changes (docs/frontend.md).
    with open(LOCALE / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    entries = [e for e in po_entries(LOCALE / "django.po") if e[2]]
    assert len(entries) > 300
    for context, msgid, msgstr in entries:
        got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        assert got == msgstr, msgid


def test_shell_strings_are_translated():
    translated = {(c, m): s for c, m, s in po_entries(LOCALE / "django.po")}
    for key in [(None, "网格地图"), ("navigation", "首页"), ("navigation", "区域"),
                (None, "待办"), (None, "我的区域"), (None, "退出"), (None, "网格员"),
                (None, "审计日志"), (None, "API 密钥"), (None, "用户与角色")]:
        assert translated.get(key), key
