"""``search_text`` (roadmap/models.py SearchTextModel): the case-folded key the
choice search matches on stays current on every kind of write."""

from __future__ import annotations

import pytest

from copp.text import search_key
from roadmap.models import Municipality, Organization
from roadmap.tests.factories import ActivityFactory, MunicipalityFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _stored(org: Organization) -> str:
    return Organization.objects.values_list("search_text", flat=True).get(pk=org.pk)


def test_it_folds_case_yo_and_spaces() -> None:
    assert search_key("  Белёв   ТУЛА\tРайон ") == "белев тула район"
    assert search_key(None) == ""


def test_it_is_kept_by_save_and_by_save_of_some_fields() -> None:
    org = OrganizationFactory(short_name="ГПОУ ТО «ТКПТС»", name="Тульский колледж", inn="7105")
    assert _stored(org) == "гпоу то «ткптс» тульский колледж 7105"
    org.short_name = "ГПОУ ТО «Новое имя»"
    org.save(update_fields=["short_name"])
    assert _stored(org) == "гпоу то «новое имя» тульский колледж 7105"
    org.phone = "123"
    org.save(update_fields=["phone"])  # a field the key is not made of: nothing else is written
    assert _stored(org) == "гпоу то «новое имя» тульский колледж 7105"
    activity = ActivityFactory(name="Профессиональные ПРОБЫ")
    assert type(activity).objects.get(pk=activity.pk).search_text == "профессиональные пробы"


def test_it_is_kept_by_bulk_create_and_bulk_update() -> None:
    Municipality.objects.bulk_create([Municipality(name="Город ЁЛКИ", kind=Municipality.Kind.DISTRICT)])
    assert Municipality.objects.get(name="Город ЁЛКИ").search_text == "город елки"
    org = OrganizationFactory(short_name="Старое", name="Старое", inn="")
    org.name = "НОВОЕ полное"
    Organization.objects.bulk_update([org], ["name"])
    assert _stored(org) == "старое новое полное"


def test_it_is_kept_by_a_queryset_update() -> None:
    tula = MunicipalityFactory(name="Тула")
    other = MunicipalityFactory(name="Алексин")
    assert Municipality.objects.filter(name="Тула").update(name="ТУЛА-2") == 1
    assert Municipality.objects.get(pk=tula.pk).search_text == "тула-2"
    assert Municipality.objects.get(pk=other.pk).search_text == "алексин"
    Municipality.objects.filter(pk=other.pk).update(order=5)  # not a key field
    assert Municipality.objects.get(pk=other.pk).search_text == "алексин"
