"""factory_boy factories of the roadmap app."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth.models import Group

from roadmap.accounts.roles import GROUP_NAMES, Role, ensure_role_groups
from roadmap.models import Activity, Municipality, Organization, Plan, Section, User


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Муниципалитет {n}")
    kind = Municipality.Kind.DISTRICT


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = Organization.Kind.COLLEGE
    short_name = factory.Sequence(lambda n: f"ГПОУ ТО «Колледж № {n}»")
    name = factory.LazyAttribute(
        lambda o: f"государственное профессиональное образовательное учреждение {o.short_name}"
    )
    municipality = factory.SubFactory(MunicipalityFactory)
    email = factory.Sequence(lambda n: f"college{n}@example.org")
    head_email = factory.Sequence(lambda n: f"head{n}@example.org")


class UserFactory(factory.django.DjangoModelFactory):
    """A user in a role's group; ``role`` is one of roadmap.accounts.roles.Role."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Анна"
    last_name = factory.Sequence(lambda n: f"Иванова{n}")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def role(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or not extracted:
            return
        role = Role(extracted)
        ensure_role_groups()
        self.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
        if role is Role.ADMIN:
            self.is_staff = self.is_superuser = True
            self.save(update_fields=["is_staff", "is_superuser"])
        self._copp_roles = None


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    key = factory.Sequence(lambda n: f"plan-{n}")
    number = factory.Sequence(lambda n: str(1000 + n))
    date = dt.date(2025, 12, 20)
    issuer = "Министерство образования Тульской области"
    title = "Об утверждении дорожной карты"
    first_year = 2026
    last_year = 2028


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    plan = factory.SubFactory(PlanFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Раздел {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    section = factory.SubFactory(SectionFactory)
    plan = factory.SelfAttribute("section.plan")
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Мероприятие {n}")
    deadline_text = "Ежегодно"
