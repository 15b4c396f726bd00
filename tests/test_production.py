"""The production profile: secure by default with DEBUG off, nothing loaded from outside, a health endpoint."""

from __future__ import annotations

import json
import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import RequestFactory
from django.views.defaults import server_error

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "".join(secrets.choice(string.ascii_letters + string.digits + "!@#%^&*(-_=+)") for _ in range(50)),
    "ALLOWED_HOSTS": "example.org",
    "SITE_URL": "https://example.org",
}


def _manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py with the given environment and nothing else (no inherited DEBUG=1)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **PRODUCTION_ENV, **extra_env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _production_settings(*names: str, **extra_env: str) -> dict[str, Any]:
    code = (
        "import json; from django.conf import settings; print(json.dumps({n: getattr(settings, n, None) for n in %r}))"
    )
    result = _manage("shell", "-c", code % (names,), **extra_env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_passes_the_deploy_check_with_only_the_documented_variables() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_is_secure_by_default_with_debug_off_and_each_setting_can_be_overridden() -> None:
    names = (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "SITE_URL",
    )
    secure = _production_settings(*names)
    assert secure["SECURE_SSL_REDIRECT"] is True
    assert secure["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert secure["SESSION_COOKIE_SECURE"] is True and secure["CSRF_COOKIE_SECURE"] is True
    assert secure["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert secure["SITE_URL"] == "https://example.org"

    relaxed = _production_settings(
        *names, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0", SECURE_PROXY_SSL_HEADER="0"
    )
    assert relaxed["SECURE_SSL_REDIRECT"] is False
    assert relaxed["SECURE_HSTS_SECONDS"] == 0
    assert relaxed["SECURE_PROXY_SSL_HEADER"] is None
    assert relaxed["SESSION_COOKIE_SECURE"] is True


def test_it_derives_a_production_participant_key_from_the_secret_key() -> None:
    derived = _production_settings("PARTICIPANT_HASH_KEY", "PARTICIPANT_HASH_KEY_DEV")
    assert derived["PARTICIPANT_HASH_KEY"] != derived["PARTICIPANT_HASH_KEY_DEV"]
    assert len(derived["PARTICIPANT_HASH_KEY"]) >= 32
    other = _production_settings("PARTICIPANT_HASH_KEY", SECRET_KEY="x" * 50)
    assert other["PARTICIPANT_HASH_KEY"] != derived["PARTICIPANT_HASH_KEY"]
    explicit = _production_settings("PARTICIPANT_HASH_KEY", PARTICIPANT_HASH_KEY="k" * 40)
    assert explicit["PARTICIPANT_HASH_KEY"] == "k" * 40


@pytest.mark.django_db
def test_health_answers_json_when_healthy(client: Any) -> None:
    response = client.get("/health/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert {"cache", "storage"} <= set(body["checks"])


@pytest.mark.django_db
def test_health_answers_500_when_the_database_is_down(client: Any) -> None:
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/health/")
    assert response.status_code in (500, 503)
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] != "ok"


EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["']?(?:https?:)?//""", re.I)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/", "/dashboard/", "/events/", "/indicators/"])
def test_docs_and_pages_load_nothing_from_outside(client: Any, make_user: Any, order_plan: Any, url: str) -> None:
    client.force_login(make_user("ministry"))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    # Every script is a file of the app; none is inline (the CSP refuses inline scripts).
    for attrs, body in scripts:
        if "application/json" in attrs:
            continue
        assert "src=" in attrs and not body.strip(), (attrs, body[:80])
    for src in re.findall(r"""<script\b[^>]*\bsrc=["']([^"']+)""", html):
        assert src.startswith("/"), src


@pytest.mark.django_db
def test_swagger_script_is_served_by_the_app(client: Any, make_user: Any) -> None:
    client.force_login(make_user("ministry"))
    html = client.get("/api/docs/").content.decode()
    script_url = re.findall(r"""<script src=["']([^"']*\?script[^"']*)""", html)
    assert script_url, html
    response = client.get(script_url[0].replace("&amp;", "&"))
    assert response.status_code == 200
    assert b"SwaggerUIBundle" in response.content


@pytest.mark.django_db
def test_every_page_carries_a_csp_without_inline_scripts(client: Any, make_user: Any) -> None:
    client.force_login(make_user("ministry"))
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert "unsafe" not in directives["script-src"]


def test_favicon_is_served() -> None:
    from django.test import Client

    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")
    assert (ROOT / "static" / "favicon.ico").stat().st_size > 0


def test_the_500_page_is_russian_and_needs_no_context() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Что-то пошло не так" in response.content.decode()


def test_logs_are_json_on_request() -> None:
    code = "import logging; logging.getLogger('copp.probe').warning('hello %s', 'world')"
    result = _manage("shell", "-c", code, LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stderr.splitlines() if "copp.probe" in line)
    record = json.loads(line)
    assert record["message"] == "hello world"
    assert record["level"] == "WARNING" and record["logger"] == "copp.probe"


def test_no_template_carries_an_inline_script_or_handler() -> None:
    """The CSP refuses inline scripts: every script is a static file, every handler is bound by one."""
    offenders = []
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S):
            if "src=" not in match.group(1) and match.group(2).strip():
                offenders.append(f"{path.relative_to(ROOT)}: inline <script>")
        if re.search(r"""\son[a-z]+\s*=\s*["']""", text):
            offenders.append(f"{path.relative_to(ROOT)}: inline on… handler")
    assert offenders == []
