"""One convention for translatable text: English msgids, Russian in locale/ru.

Pure file reads, no database: the sources, the .po and the compiled .mo.
"""

from __future__ import annotations

import ast
import re
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("copp", "roadmap", "indicators", "reports")
PO = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
CYRILLIC = re.compile("[А-Яа-яЁё]")

# Names xgettext (run by makemessages) extracts; a call through any other alias is
# silently left out of the catalogue and renders in English.
EXTRACTED = {
    "_": (0,),
    "gettext": (0,),
    "gettext_lazy": (0,),
    "gettext_noop": (0,),
    "ngettext": (0, 1),
    "ngettext_lazy": (0, 1),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
TRANSLATION_FUNCTIONS = {name for name in EXTRACTED if name != "_"}

# English msgids of ours that Django or an installed app translates differently; ours wins
# everywhere (LOCALE_PATHS come first), so a new msgid must not join this list.
OVERRIDES_OF_INSTALLED_APPS = {"name", "active", "Created", "Order"}
# Installed apps' own Russian that is left English or wrong in the admin, retranslated on
# purpose in copp/installed_apps_msgids.py (django-celery-beat's «Crontab», axes' «User Agent»).
DELIBERATE_RETRANSLATIONS = {"crontab", "crontabs", "Crontab Schedule", "User Agent"}

TRANSLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1""")
BLOCK_TAG = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b([^%]*)%\}(.*?)\{%\s*end(?:blocktranslate|blocktrans)\s*%\}", re.S
)
UNDERSCORE_IN_TEMPLATE = re.compile(r"""\b_\((["'])(.*?)\1\)""")
TEMPLATE_VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def python_files() -> list[Path]:
    return [
        path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and "tests" not in path.parts
    ]


def template_files() -> list[Path]:
    found = []
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT)
        if rel.parts[0].startswith(".") or rel.parts[0] in ("static", "bench"):
            continue
        if path.suffix in (".html", ".txt") and "templates" in rel.parts:
            found.append(path)
    return found


def python_msgids(path: Path) -> list[tuple[str, int, str]]:
    """(msgid, line, function) of every gettext call with literal arguments."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for name in node.names:
                aliases[name.asname or name.name] = name.name
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in aliases and aliases[func.id] in TRANSLATION_FUNCTIONS:
            name, positions = func.id, EXTRACTED[aliases[func.id]]
        elif isinstance(func, ast.Attribute) and func.attr in TRANSLATION_FUNCTIONS:
            name, positions = func.attr, EXTRACTED[func.attr]
        else:
            continue
        for index in positions:
            if index < len(node.args):
                arg = node.args[index]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((arg.value, node.lineno, name))
    return found


def block_msgids(body: str) -> list[str]:
    """The msgids makemessages reads from a {% blocktranslate %} body."""
    parts = body.split("{% plural %}")
    return [TEMPLATE_VARIABLE.sub(r"%(\1)s", part.replace("%", "%%")) for part in parts]


def template_msgids(path: Path) -> list[tuple[str, int]]:
    text = path.read_text(encoding="utf-8")
    found = []
    for pattern in (TRANSLATE_TAG, UNDERSCORE_IN_TEMPLATE):
        for match in pattern.finditer(text):
            found.append((match.group(2).replace("%", "%%"), text.count("\n", 0, match.start()) + 1))
    for match in BLOCK_TAG.finditer(text):
        body = match.group(2)
        if "trimmed" in match.group(1).split():
            body = " ".join(line.strip() for line in body.splitlines() if line.strip())
        for msgid in block_msgids(body):
            found.append((msgid, text.count("\n", 0, match.start()) + 1))
    return found


def unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), "\\" + m.group(1)), text.strip()[1:-1])


def po_entries() -> list[dict]:
    """The entries of the .po: msgctxt, msgid, msgid_plural, msgstr (str or list), flags."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line]
        if not lines or all(line.startswith("#~") or line.startswith("#") for line in lines):
            continue
        entry: dict = {"flags": set(), "msgstr": None}
        key = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if isinstance(key, int):
                    entry["msgstr"][key] += unquote(line)
                else:
                    entry[key] += unquote(line)
            else:
                keyword, value = line.split(" ", 1)
                plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
                if plural_form:
                    key = int(plural_form.group(1))
                    entry["msgstr"] = entry["msgstr"] or []
                    entry["msgstr"].append(unquote(value))
                else:
                    key = keyword
                    entry[key] = unquote(value)
        entries.append(entry)
    return entries


def mo_messages(path: Path = MO) -> dict[str, str]:
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _revision, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    messages = {}
    for index in range(count):
        length, offset = struct.unpack(order + "2I", data[originals + 8 * index : originals + 8 * index + 8])
        key = data[offset : offset + length].decode("utf-8")
        length, offset = struct.unpack(order + "2I", data[translations + 8 * index : translations + 8 * index + 8])
        messages[key] = data[offset : offset + length].decode("utf-8")
    return messages


def test_it_has_no_russian_msgids_in_code_or_templates() -> None:
    russian = []
    for path in python_files():
        for msgid, line, _name in python_msgids(path):
            if CYRILLIC.search(msgid):
                russian.append(f"{path.relative_to(ROOT)}:{line}: {msgid}")
    for path in template_files():
        for msgid, line in template_msgids(path):
            if CYRILLIC.search(msgid):
                russian.append(f"{path.relative_to(ROOT)}:{line}: {msgid}")
    assert russian == [], "msgids are English; put the Russian in locale/ru (CONTRIBUTING.md):\n" + "\n".join(russian)


def test_it_calls_gettext_only_by_names_makemessages_extracts() -> None:
    hidden = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for name in node.names:
                    bound = name.asname or name.name
                    if name.name in TRANSLATION_FUNCTIONS and bound not in EXTRACTED:
                        hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name.name} as {bound}")
    assert hidden == []


def test_it_has_every_msgid_of_the_code_in_the_catalogue() -> None:
    known = set()
    for entry in po_entries():
        known.add(entry["msgid"])
        if "msgid_plural" in entry:
            known.add(entry["msgid_plural"])
    missing = []
    for path in python_files():
        missing += [f"{path.relative_to(ROOT)}:{line}: {m}" for m, line, _n in python_msgids(path) if m not in known]
    for path in template_files():
        missing += [f"{path.relative_to(ROOT)}:{line}: {m}" for m, line in template_msgids(path) if m not in known]
    assert missing == [], "run makemessages and translate (CONTRIBUTING.md):\n" + "\n".join(missing)


def test_it_has_every_entry_of_the_catalogue_translated() -> None:
    entries = po_entries()
    assert len(entries) > 100
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    untranslated = [
        entry["msgid"]
        for entry in entries
        if entry["msgid"] and (not entry["msgstr"] or (isinstance(entry["msgstr"], list) and not all(entry["msgstr"])))
    ]
    assert fuzzy == []
    assert untranslated == []


def test_it_has_the_compiled_catalogue_up_to_date() -> None:
    expected = {}
    for entry in po_entries():
        key = entry["msgid"]
        if "msgctxt" in entry:
            key = entry["msgctxt"] + "\x04" + key
        if "msgid_plural" in entry:
            key += "\x00" + entry["msgid_plural"]
        value = entry["msgstr"]
        expected[key] = "\x00".join(value) if isinstance(value, list) else value
    # msgfmt leaves the POT-Creation-Date out of the compiled header
    expected[""] = re.sub(r"POT-Creation-Date: [^\n]*\n", "", expected[""])
    compiled = mo_messages()
    stale = sorted(key for key in expected.keys() | compiled.keys() if expected.get(key) != compiled.get(key))
    assert stale == [], "run compilemessages -l ru -i .venv (CONTRIBUTING.md): " + repr(stale[:5])


def test_it_does_not_retranslate_what_django_and_installed_apps_translate() -> None:
    import django
    from django.apps import apps

    catalogues = [Path(django.__file__).parent / "conf" / "locale" / "ru" / "LC_MESSAGES" / "django.mo"]
    catalogues += [
        Path(config.path) / "locale" / "ru" / "LC_MESSAGES" / "django.mo"
        for config in apps.get_app_configs()
        if not Path(config.path).is_relative_to(ROOT)
    ]
    theirs: dict[str, set[str]] = {}
    for path in catalogues:
        if path.exists():
            for key, value in mo_messages(path).items():
                if key and "\x04" not in key:
                    # Ours has GNU's three Russian plural forms, Django's catalogues Transifex's four
                    # (the fourth for fractions, which ngettext never gets): compare the first three.
                    if "\x00" in key:
                        value = "\x00".join(value.split("\x00")[:3])
                    theirs.setdefault(key, set()).add(value)
    clashes = []
    for entry in po_entries():
        key = entry["msgid"]
        if not key or "msgctxt" in entry or key in OVERRIDES_OF_INSTALLED_APPS | DELIBERATE_RETRANSLATIONS:
            continue
        if "msgid_plural" in entry:
            key += "\x00" + entry["msgid_plural"]
        value = "\x00".join(entry["msgstr"]) if isinstance(entry["msgstr"], list) else entry["msgstr"]
        if key in theirs and value not in theirs[key]:
            clashes.append(f"{entry['msgid']}: ours {value!r}, theirs {sorted(theirs[key])}")
    assert clashes == [], "choose another English msgid:\n" + "\n".join(clashes)


def test_it_has_the_three_russian_plural_forms() -> None:
    """GNU's Russian plural rule, and three forms in every plural entry (1 событие, 3 события, 5 событий)."""
    header = next(entry["msgstr"] for entry in po_entries() if entry["msgid"] == "")
    assert (
        "Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
        "n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
    ) in header
    wrong = [entry["msgid"] for entry in po_entries() if "msgid_plural" in entry and len(entry["msgstr"]) != 3]
    assert wrong == []
