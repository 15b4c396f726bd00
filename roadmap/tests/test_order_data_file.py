"""Checks the hand-made data file of order No 2714 against the seed text.

The seed (``roadmap/data/order_2714_seed.txt``) is the plain-text copy of the
order, its tables as tab-separated rows. This module parses it on its own
(no code shared with any loader) and compares every transcribed field of
``roadmap/data/plans/order_2714.yaml`` with it. No database is needed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SEED_PATH = DATA_DIR / "order_2714_seed.txt"
YAML_PATH = DATA_DIR / "plans" / "order_2714.yaml"

YEARS = (2023, 2024, 2025)
ACTIVITY_FIELDS = ("name", "expected_result", "evidence_document", "deadline", "responsible_text")
ROADMAP_HEADER = (
    "№",
    "Наименование мероприятия",
    "Ожидаемый результат",
    "Документ, определяющий результат",
    "Срок реализации",
    "Ответственные",
)
INDICATOR_HEADER_FIRST = "№ показателя"
ACTIVITY_NUMBER = re.compile(r"(\d+)\.")
INDICATOR_CODE = re.compile(r"\d+(?:\.\d+)?\.?")

# Page-break tails the seed is known to contain: (activity, field).
EXPECTED_TAILS = {
    (2, "responsible_text"),
    (6, "evidence_document"),
    (10, "name"),
    (10, "evidence_document"),
    (18, "responsible_text"),
    (23, "name"),
    (23, "expected_result"),
    (23, "evidence_document"),
    (27, "expected_result"),
}


# --------------------------------------------------------------------------
# Independent parser of the seed text
# --------------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("\t")]


@lru_cache(maxsize=1)
def seed_lines() -> tuple[str, ...]:
    return tuple(SEED_PATH.read_text(encoding="utf-8").splitlines())


@lru_cache(maxsize=1)
def parse_roadmap() -> tuple[list[dict], set[tuple[int, str]]]:
    """Return (sections, tails) of the roadmap table (annex 1).

    A section row is a title followed by empty cells; a numbered row starts
    with "N."; a row after a repeated header whose first cell is empty is the
    tail of the numbered row cut by the page break: each non-empty cell is
    appended to the same field with one space.
    """
    sections: list[dict] = []
    tails: set[tuple[int, str]] = set()
    last_activity: dict | None = None
    previous_was_header = False
    in_table = False
    for line in seed_lines():
        if "\t" not in line:
            continue
        cells = _cells(line)
        if cells[0] == INDICATOR_HEADER_FIRST:
            break  # the indicator table starts; the roadmap is over
        assert len(cells) == 6, f"roadmap row without 6 columns: {line!r}"
        if tuple(cells) == ROADMAP_HEADER:
            in_table = True
            previous_was_header = True
            continue
        assert in_table, f"table row before the header: {line!r}"
        number = ACTIVITY_NUMBER.fullmatch(cells[0])
        if number:
            last_activity = {"number": int(number.group(1)), **dict(zip(ACTIVITY_FIELDS, cells[1:], strict=False))}
            sections[-1]["activities"].append(last_activity)
        elif cells[0] == "":
            assert previous_was_header and last_activity is not None, f"stray tail: {line!r}"
            for field, value in zip(ACTIVITY_FIELDS, cells[1:], strict=False):
                if value:
                    last_activity[field] = f"{last_activity[field]} {value}"
                    tails.add((last_activity["number"], field))
        elif not any(cells[1:]):
            sections.append({"title": cells[0], "activities": []})
        else:
            raise AssertionError(f"unrecognised roadmap row: {line!r}")
        previous_was_header = False
    return sections, tails


def seed_activities() -> list[dict]:
    sections, _ = parse_roadmap()
    return [activity for section in sections for activity in section["activities"]]


def _target(printed: str) -> bool | int:
    if printed.lower() == "да":
        return True
    if printed.lower() == "нет":
        return False
    assert printed.isdigit(), f"unexpected planned value {printed!r}"
    return int(printed)


@lru_cache(maxsize=1)
def parse_indicators() -> tuple[list[str], list[dict]]:
    """Return (column-number row, indicator rows) of the indicator table."""
    column_numbers: list[str] = []
    rows: list[dict] = []
    in_table = False
    for line in seed_lines():
        if "\t" not in line:
            continue
        cells = _cells(line)
        if cells[0] == INDICATOR_HEADER_FIRST:
            in_table = True
            continue
        if not in_table:
            continue
        assert len(cells) == 6, f"indicator row without 6 columns: {line!r}"
        if all(cell.isdigit() for cell in cells):
            column_numbers = cells
            continue
        assert INDICATOR_CODE.fullmatch(cells[0]), f"unrecognised indicator row: {line!r}"
        rows.append(
            {
                "printed_code": cells[0],
                "name": cells[1],
                "unit": cells[2],
                "targets": dict(zip(YEARS, (_target(value) for value in cells[3:]), strict=True)),
            }
        )
    return column_numbers, rows


# Responsible parties as printed; the long phrase and the college's short
# name are tried before the bare "ГПОУ ТО".
RESPONSIBLE_TOKENS = re.compile(
    r"(?P<gpou_long>государственные профессиональные образовательные организации, "
    r"подведомственные министерству образования Тульской области \(далее – ГПОУ ТО\))"
    r"|(?P<ministry>Министерство образования Тульской области)"
    r"|(?P<tgmk>ГПОУ ТО «ТГМК им\. Н\. Демидова»)"
    r"|(?P<gpou>ГПОУ ТО)"
    r"|(?P<copp>ЦОПП)"
    r"|(?P<agreement>\(по согласованию\))"
)
TOKEN_TO_ORG = {
    "gpou_long": "gpou-to",
    "gpou": "gpou-to",
    "ministry": "ministry",
    "tgmk": "tgmk",
    "copp": "copp",
}


def parse_responsible(text: str) -> list[dict]:
    parties: list[dict] = []
    position = 0
    for match in RESPONSIBLE_TOKENS.finditer(text):
        between = text[position : match.start()]
        assert between.strip(" ,") == "", f"unparsed text {between!r} in {text!r}"
        position = match.end()
        if match.lastgroup == "agreement":
            assert parties, f"(по согласованию) without a party in {text!r}"
            parties[-1]["by_agreement"] = True
        else:
            parties.append({"org": TOKEN_TO_ORG[match.lastgroup]})
    assert text[position:].strip(" ,") == "", f"unparsed tail in {text!r}"
    return parties


# --------------------------------------------------------------------------
# The data file
# --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def data() -> dict:
    with YAML_PATH.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def yaml_activities() -> list[dict]:
    return [activity for section in data()["sections"] for activity in section["activities"]]


def yaml_indicators() -> list[dict]:
    return data()["indicators"]["items"]


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


# --------------------------------------------------------------------------
# Tests: the seed parser itself
# --------------------------------------------------------------------------


def test_it_finds_the_known_page_break_tails_in_the_seed():
    _, tails = parse_roadmap()
    assert tails == EXPECTED_TAILS
    by_number = {activity["number"]: activity for activity in seed_activities()}
    assert by_number[2]["responsible_text"].endswith(
        "подведомственные министерству образования Тульской области (далее – ГПОУ ТО) (по согласованию)"
    )
    assert by_number[18]["responsible_text"] == "ГПОУ ТО «ТГМК им. Н. Демидова», ЦОПП"
    assert by_number[18]["evidence_document"] == ""


# --------------------------------------------------------------------------
# Tests: plan and organisations
# --------------------------------------------------------------------------


def test_it_describes_the_plan_as_printed():
    plan = data()["plan"]
    lines = seed_lines()
    assert plan["key"] == "tula-2714-2022"
    assert plan["number"] == "2714" and "№ 2714" in lines
    assert str(plan["date"]) == "2022-12-16" and "16.12.2022" in lines
    assert plan["issuer"] == "Министерство образования Тульской области"
    assert plan["title"] in lines and plan["title"].startswith("Об утверждении дорожной карты")
    assert plan["roadmap_title"] == (
        "Дорожная карта опережающего развития Центра опережающей профессиональной подготовки "
        "Тульской области на 2023-2025 гг."
    )
    assert (plan["first_year"], plan["last_year"]) == (YEARS[0], YEARS[-1])
    assert plan["signed_by"].startswith("Л.Ю. Сорокина") and "Л.Ю. Сорокина" in lines
    assert plan["contact"] == "Алексеенко Екатерина Витальевна, тел. 8(4872) 24-51-04 (26-23)"
    assert any(plan["contact_email"] in line for line in lines)
    assert plan["reporting_rule"] == {"days": 1, "calendar": "calendar", "escalation_days": 3}


def test_it_lists_organisations_with_unique_keys_and_known_kinds():
    organizations = data()["organizations"]
    keys = [organization["key"] for organization in organizations]
    assert keys == ["ministry", "copp", "tgmk", "gpou-to"]
    kinds = {"ministry", "copp", "college", "school", "employer", "other"}
    for organization in organizations:
        assert organization["kind"] in kinds
        assert organization["short_name"] and organization["name"]
        assert isinstance(organization["is_group"], bool)
    assert [o["key"] for o in organizations if o["is_group"]] == ["gpou-to"]


# --------------------------------------------------------------------------
# Tests: roadmap
# --------------------------------------------------------------------------


def test_it_has_29_activities_in_6_sections_in_order():
    seed_sections, _ = parse_roadmap()
    yaml_sections = data()["sections"]
    assert len(seed_sections) == 6
    assert [s["title"] for s in yaml_sections] == [s["title"] for s in seed_sections]
    for seed_section, yaml_section in zip(seed_sections, yaml_sections, strict=True):
        assert [a["number"] for a in yaml_section["activities"]] == [a["number"] for a in seed_section["activities"]], (
            yaml_section["title"]
        )
    assert [a["number"] for a in seed_activities()] == list(range(1, 30))
    assert [a["number"] for a in yaml_activities()] == list(range(1, 30))


def test_it_matches_every_activity_field_to_the_seed():
    seed = {activity["number"]: activity for activity in seed_activities()}
    for activity in yaml_activities():
        for field in ACTIVITY_FIELDS:
            assert activity[field] == seed[activity["number"]][field], (activity["number"], field)


def test_it_parses_responsible_parties_from_the_printed_text():
    for activity in yaml_activities():
        expected = parse_responsible(activity["responsible_text"])
        actual = [
            {key: value for key, value in party.items() if not (key == "by_agreement" and value is False)}
            for party in activity["responsible"]
        ]
        assert actual == expected, activity["number"]
        for party in activity["responsible"]:
            assert party.get("by_agreement", True) is True, "write by_agreement only when true"


def test_it_refers_only_to_listed_organisations():
    keys = {organization["key"] for organization in data()["organizations"]}
    for activity in yaml_activities():
        assert activity["responsible"], activity["number"]
        for party in activity["responsible"]:
            assert party["org"] in keys, (activity["number"], party)


def test_it_notes_the_empty_document_and_the_typo():
    by_number = {activity["number"]: activity for activity in yaml_activities()}
    assert by_number[18]["evidence_document"] == ""
    assert "документ" in by_number[18]["note"]
    assert by_number[28]["evidence_document"].startswith("Контакт на поставку")
    assert "Контракт" in by_number[28]["note"]
    for activity in yaml_activities():
        empty = [field for field in ACTIVITY_FIELDS if not activity[field]]
        if empty:
            assert activity.get("note"), (activity["number"], empty)


# --------------------------------------------------------------------------
# Tests: indicators
# --------------------------------------------------------------------------


def test_it_counts_the_indicator_rows_of_the_seed():
    column_numbers, rows = parse_indicators()
    # The column-number row skips 3; it is not an indicator.
    assert column_numbers == ["1", "2", "4", "5", "6", "7"]
    codes = [row["printed_code"].rstrip(".") for row in rows]
    expected = ["1", "2", "3", "3.1", "4"] + [f"4.{i}" for i in range(1, 8)]
    expected += ["5"] + [f"5.{i}" for i in range(1, 9)] + ["6", "7", "8", "9", "10", "11", "12"]
    assert codes == expected
    assert len(rows) == 28
    assert len(yaml_indicators()) == len(rows)


def test_it_matches_every_indicator_to_the_seed():
    _, rows = parse_indicators()
    assert data()["indicators"]["title"] in seed_lines()
    for item, row in zip(yaml_indicators(), rows, strict=True):
        assert item["printed_code"] == row["printed_code"]
        assert item["code"] == row["printed_code"].rstrip(".")
        assert item["name"] == row["name"], item["code"]
        assert item["unit"] == row["unit"], item["code"]
        assert item["targets"] == row["targets"], item["code"]
        assert list(item["targets"]) == list(YEARS), item["code"]


def test_it_puts_parents_before_their_children():
    seen: set[str] = set()
    for item in yaml_indicators():
        code = item["code"]
        expected_parent = code.rsplit(".", 1)[0] if "." in code else None
        assert item["parent"] == expected_parent, code
        if item["parent"] is not None:
            assert item["parent"] in seen, code
        assert code not in seen, f"duplicate code {code}"
        seen.add(code)


def test_it_types_indicators_by_their_planned_values():
    for item in yaml_indicators():
        values = list(item["targets"].values())
        if all(isinstance(value, bool) for value in values):
            assert item["value_type"] == "boolean", item["code"]
            assert item["aggregation"] == "boolean", item["code"]
        else:
            assert all(type(value) is int for value in values), item["code"]
            assert item["value_type"] == "number", item["code"]
            assert item["aggregation"] in {"flow", "stock"}, item["code"]
        if item["value_type"] == "boolean" and item["unit"].lower() != "да/нет":
            assert item.get("note"), f"{item['code']}: unit {item['unit']!r} with yes/no values needs a note"
    by_code = {item["code"]: item for item in yaml_indicators()}
    assert by_code["8"]["aggregation"] == "stock"
    assert by_code["12"]["value_type"] == "boolean" and by_code["12"]["unit"] == "Единиц"


def test_it_notes_every_total_that_does_not_add_up():
    items = yaml_indicators()
    by_code = {item["code"]: item for item in items}
    mismatches = {}
    for parent in ("4", "5"):
        children = [item for item in items if item["parent"] == parent]
        for year in YEARS:
            total = sum(child["targets"][year] for child in children)
            if total != by_code[parent]["targets"][year]:
                mismatches[(parent, year)] = total - by_code[parent]["targets"][year]
    # Known from the seed: in 2024 4.1–4.7 add up to 75 against a total of 73.
    assert mismatches == {("4", 2024): 2}
    for parent, year in mismatches:
        assert str(year) in by_code[parent].get("note", ""), parent
    # Consistent relations (checked, no note needed).
    for year in YEARS:
        value = {code: by_code[code]["targets"][year] for code in ("2", "3", "3.1", "5", "6", "7")}
        assert value["2"] == value["3"] + value["5"] + value["6"], year
        assert value["3.1"] <= value["3"], year
        assert value["7"] <= value["6"], year


def test_it_notes_row_references_to_another_form():
    by_code = {item["code"]: item for item in yaml_indicators()}
    assert "строках 14 – 18" in by_code["4.6"]["name"] and by_code["4.6"].get("note")
    assert "из строки 21" in by_code["5.1"]["name"] and by_code["5.1"].get("note")
    assert "4.6" in by_code["5"].get("note", "")


# --------------------------------------------------------------------------
# Tests: hygiene
# --------------------------------------------------------------------------


def test_it_keeps_every_string_trimmed_and_on_one_line():
    for text in _strings(data()):
        assert text == text.strip(), repr(text)
        assert "\n" not in text and "\t" not in text, repr(text)
        assert "  " not in text, repr(text)
