"""``/health/`` for monitoring: database, cache, storage and, when configured, the broker.

Always JSON: 200 when every check passes, 500 when one fails (django-health-check).
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from health_check.views import HealthCheckView


def health_checks() -> list[Any]:
    checks: list[Any] = [
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
    ]
    if settings.REDIS_URL:
        from health_check.contrib.redis import Redis
        from redis.asyncio import Redis as RedisClient

        url = settings.REDIS_URL
        checks.append((Redis, {"client_factory": lambda: RedisClient.from_url(url)}))
    return checks


class HealthView(HealthCheckView):
    """Runs the checks and answers JSON whatever the Accept header says."""

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.checks = health_checks()
        with self.get_executor() as executor:
            self.results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        failed = any(result.error for result in self.results)
        return JsonResponse(
            {
                "status": "error" if failed else "ok",
                "checks": {
                    type(result.check).__name__.lower(): "ok" if not result.error else str(result.error)
                    for result in self.results
                },
            },
            status=500 if failed else 200,
        )
