"""No new ``Any`` in the strict modules: the count per file may only go down.

mypy's ``disallow_any_explicit`` would say it outright, but the services still
take ``user: Any`` and raw input as ``Any`` today, so the strict block in
mypy.ini leaves it off and this ratchet stands in for it. It counts the
``Any`` names (``Any``, ``typing.Any``; the import line is not counted) in
every file the baseline's ``modules`` patterns match:

- more than the baseline: a new ``Any`` — type it, or argue for it in review
  and raise the number in ``tests/any_baseline.json``;
- fewer: lower the number in the baseline so it cannot creep back;
- a file the patterns match that is not in ``counts`` starts at 0.

``python tests/test_typing_baseline.py`` prints the current counts as the
baseline's ``counts`` would read.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(__file__).resolve().parent / "any_baseline.json"


def any_count(source: str) -> int:
    """How many times the module names ``Any`` outside its imports."""
    count = 0
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id == "Any":
            count += 1
        elif isinstance(node, ast.Attribute) and node.attr == "Any":
            count += 1
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _is_annotation_string(node.value):
            count += any_count(node.value)
    return count


def _is_annotation_string(text: str) -> bool:
    """A quoted annotation such as ``cast("dict[str, Any]", x)`` (not a docstring)."""
    if "Any" not in text or "\n" in text:
        return False
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return True


def strict_files(patterns: list[str]) -> list[Path]:
    found: set[Path] = set()
    for pattern in patterns:
        found.update(p for p in ROOT.glob(pattern) if p.is_file() and "tests" not in p.relative_to(ROOT).parts)
    return sorted(found)


def current_counts(patterns: list[str]) -> dict[str, int]:
    return {str(p.relative_to(ROOT)): any_count(p.read_text(encoding="utf-8")) for p in strict_files(patterns)}


def test_it_lets_any_only_go_down_in_strict_modules() -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    counts = current_counts(baseline["modules"])
    allowed: dict[str, int] = baseline["counts"]
    grown = {path: (n, allowed.get(path, 0)) for path, n in counts.items() if n > allowed.get(path, 0)}
    shrunk = {path: (n, allowed[path]) for path, n in counts.items() if path in allowed and n < allowed[path]}
    gone = sorted(set(allowed) - set(counts))
    problems = [f"{path}: {n} Any, baseline {b} — new Any in a strict module" for path, (n, b) in grown.items()]
    problems += [
        f"{path}: {n} Any, baseline {b} — lower it in tests/any_baseline.json" for path, (n, b) in shrunk.items()
    ]
    problems += [f"{path}: in the baseline but not a strict module any more (moved? renamed?)" for path in gone]
    assert not problems, "\n".join(problems)


def test_it_counts_any_names_not_the_import_docstrings_or_comments() -> None:
    source = (
        "from typing import Any\n"
        "import typing\n"
        "def f(a: Any, b: typing.Any) -> dict[str, Any]:\n"
        '    """Any in a docstring is not counted."""\n'
        '    return cast("dict[str, Any]", a)  # Any in a comment is not counted\n'
    )
    assert any_count(source) == 4


if __name__ == "__main__":
    print(json.dumps(current_counts(json.loads(BASELINE.read_text(encoding="utf-8"))["modules"]), indent=2))
