"""Sign-in throttling (django-axes): 10 wrong passwords lock that login from that address."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from rest_framework.authtoken.models import Token

from roadmap.accounts.roles import Role
from roadmap.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
HOME = "10.0.0.1"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def user() -> Any:
    return UserFactory(username="ivanova", role=Role.COORDINATOR)


def sign_in(client: Client, username: str, password: str, *, address: str = HOME, url: str = "/login/") -> Any:
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def fail(client: Client, times: int, *, username: str = "ivanova", url: str = "/login/") -> list[int]:
    return [sign_in(client, username, "wrong", url=url).status_code for _ in range(times)]


def test_it_locks_a_login_after_ten_wrong_passwords_with_a_russian_page(user: Any, time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    client = Client()
    assert fail(client, 9) == [200] * 9  # the form again, with its error
    assert fail(client, 1) == [429]  # the tenth locks
    response = sign_in(client, "ivanova", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    page = response.content.decode()
    assert "Вход временно заблокирован" in page and "15 мин" in page and "администратор" in page


def test_nine_wrong_passwords_then_the_right_one_signs_in(user: Any) -> None:
    client = Client()
    fail(client, 9)
    assert sign_in(client, "ivanova", PASSWORD).status_code == 302 and signed_in(client)
    # a success forgets the failures: nine more do not lock
    client = Client()
    assert fail(client, 9) == [200] * 9
    assert sign_in(client, "ivanova", PASSWORD).status_code == 302


def test_the_lock_is_per_login_and_address(user: Any) -> None:
    UserFactory(username="petrov")
    fail(Client(), 10)
    other_address = Client()
    assert sign_in(other_address, "ivanova", PASSWORD, address="10.0.0.2").status_code == 302
    assert signed_in(other_address)
    other_login = Client()
    assert sign_in(other_login, "petrov", PASSWORD).status_code == 302 and signed_in(other_login)


def test_the_lock_lifts_after_fifteen_minutes(user: Any, time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    fail(Client(), 10)
    time_machine.move_to(T0 + dt.timedelta(minutes=14, seconds=59), tick=False)
    assert sign_in(Client(), "ivanova", PASSWORD).status_code == 429  # retrying does not extend the lock
    time_machine.move_to(T0 + dt.timedelta(minutes=15, seconds=1), tick=False)
    client = Client()
    assert sign_in(client, "ivanova", PASSWORD).status_code == 302 and signed_in(client)


def test_an_administrator_unlocks_from_the_admin(user: Any) -> None:
    fail(Client(), 10)
    assert sign_in(Client(), "ivanova", PASSWORD).status_code == 429
    admin = Client()
    admin.force_login(UserFactory(role=Role.ADMIN))
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "ivanova" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="ivanova")
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    client = Client()
    assert sign_in(client, "ivanova", PASSWORD).status_code == 302 and signed_in(client)


def test_the_admin_login_is_throttled_too(user: Any) -> None:
    staff = UserFactory(username="boss", role=Role.ADMIN)
    client = Client()
    assert fail(client, 10, username=staff.username, url="/admin/login/")[-1] == 429
    response = sign_in(client, "boss", PASSWORD, url="/admin/login/")
    assert response.status_code == 429 and "Вход временно заблокирован" in response.content.decode()
    assert not signed_in(client)


def test_api_tokens_and_existing_sessions_are_not_password_doors(user: Any, api_client: Any) -> None:
    fail(Client(), 10)
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", REMOTE_ADDR=HOME)
    assert api_client.get("/api/v1/notifications/unread-count/").status_code == 200
    session = Client()
    session.force_login(user)  # a test shortcut, not a door: no password is checked
    assert session.get("/", REMOTE_ADDR=HOME, follow=True).status_code == 200


def test_client_login_needs_a_request_under_axes(user: Any) -> None:
    """Why the suite signs in with force_login: axes refuses a password check without a request."""
    from axes.exceptions import AxesBackendRequestParameterRequired
    from django.http import HttpRequest

    with pytest.raises(AxesBackendRequestParameterRequired):
        Client().login(username="ivanova", password=PASSWORD)
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = HOME
    assert Client().login(request=request, username="ivanova", password=PASSWORD)
