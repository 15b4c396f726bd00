"""Password reset by e-mail: /password-reset/ through Django's views, links on SITE_URL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.http import HttpRequest

pytestmark = pytest.mark.django_db

LINK = re.compile(r"(https://copp\.example\.org)(/password-reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = "https://copp.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_the_login_page_links_to_the_reset(client: Any) -> None:
    assert 'href="/password-reset/"' in client.get("/login/").content.decode()
    page = client.get("/password-reset/")
    assert page.status_code == 200
    assert "Восстановление пароля" in page.content.decode()


def test_a_user_sets_a_new_password_from_the_link(client: Any, make_user: Any) -> None:
    user = make_user("coordinator", email="coord@example.org")
    response = client.post("/password-reset/", {"email": "COORD@example.org"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    letter = mail.outbox[0]
    assert letter.to == ["coord@example.org"]
    assert "\n" not in letter.subject
    found = LINK.search(letter.body)
    assert found, letter.body
    assert user.username in letter.body

    form = client.get(found.group(2), follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": "Novyi-parol-2026", "new_password2": "Novyi-parol-2026"})
    assert done.status_code == 302 and done["Location"] == "/password-reset/done/"
    assert authenticate(HttpRequest(), username=user.username, password="Novyi-parol-2026") == user

    again = client.get(found.group(2), follow=True)
    assert not again.context["validlink"]
    assert "Ссылка больше не действует" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_letter(client: Any) -> None:
    response = client.post("/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []


def test_a_broken_address_is_a_form_error(client: Any) -> None:
    response = client.post("/password-reset/", {"email": "not an address"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert mail.outbox == []
