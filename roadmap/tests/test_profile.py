"""The profile page: a user's own name, contacts and e-mail choices (roadmap.accounts)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import Client

from roadmap.accounts.services import ProfileData, phone_problem, user_profile_update
from roadmap.models import Notification, User
from roadmap.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "copp", "ministry", "admin")
ALL_KINDS = list(Notification.Kind.values)


def _post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "last_name": "Петрова",
        "first_name": "Анна",
        "patronymic": "Сергеевна",
        "email": "petrova@college.example",
        "phone": "+7 (4872) 24-51-04 доб. 26",
        "email_notices": ["overdue", "returned"],
    }
    return data | overrides


# --- the page ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_profile_to_every_role(client: Client, make_user: Any, role: str) -> None:
    user = make_user(role, phone="8 4872 000000")
    client.force_login(user)
    page = client.get("/profile/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Профиль" in html and user.email in html and "8 4872 000000" in html
    assert 'href="/profile/"' in html  # the user menu links here
    assert 'href="/profile/password/"' in html
    assert html.count('name="email_notices"') == len(ALL_KINDS)
    assert html.count("checked") >= len(ALL_KINDS)  # every kind on by default


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    for url in ("/profile/", "/profile/password/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert client.post("/profile/", _post()).status_code == 302


def test_it_saves_the_profile(client: Client, make_user: Any) -> None:
    user = make_user("coordinator")
    client.force_login(user)
    response = client.post("/profile/", _post(), follow=True)
    assert response.redirect_chain == [("/profile/", 302)]
    assert "Профиль сохранён" in response.content.decode()
    user.refresh_from_db()
    assert (user.last_name, user.first_name, user.patronymic) == ("Петрова", "Анна", "Сергеевна")
    assert user.email == "petrova@college.example" and user.phone == "+7 (4872) 24-51-04 доб. 26"
    assert set(user.email_notices_off) == set(ALL_KINDS) - {"overdue", "returned"}
    # The page shows the saved choice back.
    html = response.content.decode()
    assert 'value="overdue" class="form-check-input" id="id_email_notices_2" checked' in html
    assert 'value="digest" class="form-check-input" id="id_email_notices_6">' in html


def test_invalid_input_keeps_what_was_typed_and_names_the_fields(client: Client, make_user: Any) -> None:
    user = make_user("coordinator", email="mine@college.example", phone="")
    client.force_login(user)
    response = client.post(
        "/profile/", _post(first_name="", email="not-an-address", phone="позвоните мне", last_name="Новая")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"first_name", "email", "phone"}
    html = response.content.decode()
    assert 'value="not-an-address"' in html and 'value="позвоните мне"' in html and 'value="Новая"' in html
    assert 'aria-invalid="true"' in html and "Исправьте отмеченные поля" in html
    user.refresh_from_db()
    assert user.email == "mine@college.example" and user.last_name != "Новая" and user.email_notices_off == []


def test_an_address_of_another_account_is_refused(client: Client, make_user: Any) -> None:
    make_user("ministry", email="Staff@Minobr.example")
    user = make_user("coordinator", email="mine@college.example")
    client.force_login(user)
    response = client.post("/profile/", _post(email="staff@minobr.EXAMPLE"))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Этот адрес e-mail уже указан у другой учётной записи."]
    user.refresh_from_db()
    assert user.email == "mine@college.example"


def test_an_address_shared_before_the_rule_does_not_lock_the_profile(make_user: Any) -> None:
    make_user("ministry", email="shared@example.org")
    user = make_user("coordinator", email="shared@example.org")
    saved = user_profile_update(
        user=user, data=ProfileData(first_name="Анна", last_name="Петрова", email="Shared@example.org")
    )
    assert saved.email == "Shared@example.org"


def test_the_form_needs_the_csrf_token(make_user: Any) -> None:
    user = make_user("coordinator")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/profile/")
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert client.post("/profile/", _post()).status_code == 403
    user.refresh_from_db()
    assert user.last_name != "Петрова"


def test_the_user_changes_the_password(client: Client, make_user: Any) -> None:
    user = make_user("coordinator")
    client.force_login(user)
    page = client.get("/profile/password/")
    assert page.status_code == 200 and "Изменение пароля" in page.content.decode()
    wrong = client.post(
        "/profile/password/",
        {"old_password": "wrong", "new_password1": "Novyi-parol-2026", "new_password2": "Novyi-parol-2026"},
    )
    assert wrong.status_code == 200 and "old_password" in wrong.context["form"].errors
    done = client.post(
        "/profile/password/",
        {"old_password": "secret-pass-123", "new_password1": "Novyi-parol-2026", "new_password2": "Novyi-parol-2026"},
        follow=True,
    )
    assert done.redirect_chain == [("/profile/", 302)] and "Пароль изменён" in done.content.decode()
    assert authenticate(HttpRequest(), username=user.username, password="Novyi-parol-2026") == user
    assert client.get("/profile/").status_code == 200  # still signed in


def test_the_admin_keeps_its_own_password_change_page(client: Client, make_user: Any) -> None:
    client.force_login(make_user("admin"))
    page = client.get("/admin/password_change/")
    assert page.status_code == 200 and 'id="site-name"' in page.content.decode()


def test_the_admin_shows_and_saves_the_choice(client: Client, make_user: Any) -> None:
    client.force_login(make_user("admin"))
    user = make_user("coordinator", email_notices_off=["digest"])
    page = client.get(f"/admin/roadmap/user/{user.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="email_notices_off"' in html
    assert 'value="digest" id="id_email_notices_off_6" checked' in html
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, tuple))}
    data |= {
        "email_notices_off": ["overdue", "escalation"],
        "groups": [g.pk for g in user.groups.all()],
        "date_joined_0": "01.01.2026",
        "date_joined_1": "10:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "organization": "",
    }
    data.pop("password", None)
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(f"/admin/roadmap/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.email_notices_off == ["overdue", "escalation"]


# --- the service ---------------------------------------------------------------------------


def test_the_service_refuses_unknown_kinds_and_stores_the_switched_off_ones() -> None:
    user = UserFactory()
    with pytest.raises(ValidationError) as error:
        user_profile_update(
            user=user, data=ProfileData(first_name="А", last_name="Б", email_notices=frozenset({"spam"}))
        )
    assert set(error.value.message_dict) == {"email_notices"}
    saved = user_profile_update(
        user=user, data=ProfileData(first_name=" А ", last_name="Б", email_notices=frozenset({"digest"}))
    )
    assert saved.first_name == "А"
    assert User.objects.get(pk=user.pk).email_notices_off == [k for k in ALL_KINDS if k != "digest"]


def test_the_service_keeps_the_user_untouched_when_it_refuses() -> None:
    user = UserFactory(last_name="Старая")
    with pytest.raises(ValidationError) as error:
        user_profile_update(user=user, data=ProfileData(first_name="", last_name="Новая", email="x@"))
    assert set(error.value.message_dict) == {"first_name", "email"}
    assert user.last_name == "Старая"


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "+7 (4872) 24-51-04",
        "8(4872) 24-51-04 (26-23)",
        "8 910 000 00 00, доб. 26",
        "8\u00a04872\u00a0245104",
        "24.51.04",
    ],
)
def test_phone_numbers_as_people_write_them(phone: str) -> None:
    assert phone_problem(phone) is None


@pytest.mark.parametrize("phone", ["позвоните", "1234", "+7 abc 000000", "8-800-<script>", "1" * 31])
def test_phone_numbers_that_are_not(phone: str) -> None:
    assert phone_problem(phone)


def test_the_service_refuses_values_longer_than_their_columns() -> None:
    user = UserFactory()
    with pytest.raises(ValidationError) as error:
        user_profile_update(user=user, data=ProfileData(first_name="А" * 151, last_name="Б", phone="1" * 101))
    assert set(error.value.message_dict) == {"first_name", "phone"}
