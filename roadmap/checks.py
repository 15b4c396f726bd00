"""System checks of the roadmap app."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def participant_hash_key_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """``check --deploy``: the participant hash key must be the production's own."""
    key = str(getattr(settings, "PARTICIPANT_HASH_KEY", ""))
    if key == settings.PARTICIPANT_HASH_KEY_DEV or len(key) < 32:
        return [
            Warning(
                "PARTICIPANT_HASH_KEY is the development default or shorter than 32 characters.",
                hint="Set PARTICIPANT_HASH_KEY in the environment to a long random secret and keep it.",
                id="roadmap.W001",
            )
        ]
    return []
