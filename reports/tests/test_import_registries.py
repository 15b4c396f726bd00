"""The agreements and programmes imports apply the registry services' rules and write through them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from indicators.models import EducationalProgramme, PartnerAgreement, ProgrammeCategory
from reports.services import import_confirm, import_dry_run
from reports.tests.conftest import xlsx_bytes

NOW = dt.datetime(2024, 12, 1, 9, tzinfo=dt.UTC)
AGREEMENT_HEADER = ["Партнёр", "Организация", "Номер", "Дата", "Действует с", "Действует по", "Предмет"]
PROGRAMME_HEADER = ["Наименование программы", "Категория", "Разработчик", "Дата утверждения", "Объём, часов"]


def errors_of(preview: Any) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in preview.errors]


def test_it_refuses_what_the_service_refuses_by_row_and_column(copp_user: Any) -> None:
    category = ProgrammeCategory.objects.order_by("order").first()
    rows = [
        PROGRAMME_HEADER,
        ["Сварщик", category.name, "copp", dt.datetime(2024, 2, 1), 72],
        ["Токарь", category.name, "copp", dt.datetime(2024, 2, 1), 0],
        ["Фрезеровщик", category.name, "copp", dt.datetime(2024, 2, 1), 1_000_000],
    ]
    preview = import_dry_run(user=copp_user, kind="programmes", file=xlsx_bytes(rows))
    assert errors_of(preview) == [(3, "Объём, часов"), (4, "Объём, часов")]
    agreements = [
        AGREEMENT_HEADER,
        ["tgmk", "copp", "1/24", dt.datetime(540, 1, 7), dt.datetime(2024, 3, 1), None, "Практика"],
        ["tgmk", "copp", "2/24", dt.datetime(2024, 3, 2), dt.datetime(2024, 3, 2), dt.datetime(2024, 1, 1), "Наоборот"],
    ]
    preview = import_dry_run(user=copp_user, kind="agreements", file=xlsx_bytes(agreements))
    assert errors_of(preview) == [(2, "Дата"), (3, "Действует по")]
    assert not PartnerAgreement.objects.exists() and not EducationalProgramme.objects.exists()


def test_it_writes_through_the_services_with_author_and_history(copp_user: Any) -> None:
    agreements = [
        AGREEMENT_HEADER,
        ["tgmk", "copp", "15/24", dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1), None, "Практика"],
    ]
    import_confirm(
        user=copp_user, job=import_dry_run(user=copp_user, kind="agreements", file=xlsx_bytes(agreements)).job, now=NOW
    )
    agreement = PartnerAgreement.objects.get(number="15/24")
    assert agreement.created_by == copp_user
    assert agreement.history.get().history_user == copp_user
    agreements[1][6] = "Стажировки"
    preview = import_dry_run(user=copp_user, kind="agreements", file=xlsx_bytes(agreements))
    assert preview.counts == {"created": 0, "updated": 1, "unchanged": 0}
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    agreement.refresh_from_db()
    assert agreement.subject == "Стажировки"
    assert [h.history_type for h in agreement.history.all()] == ["~", "+"]
    assert agreement.history.first().history_user == copp_user


@pytest.mark.parametrize("n", [2, 20])
def test_it_confirms_in_a_fixed_number_of_queries(copp_user: Any, n: int, django_assert_max_num_queries: Any) -> None:
    rows = [AGREEMENT_HEADER] + [
        ["tgmk", "copp", f"{i}/24", dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1), None, "Практика"]
        for i in range(n)
    ]
    job = import_dry_run(user=copp_user, kind="agreements", file=xlsx_bytes(rows)).job
    with django_assert_max_num_queries(20):
        import_confirm(user=copp_user, job=job, now=NOW)
    assert PartnerAgreement.objects.count() == n
