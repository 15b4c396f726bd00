from __future__ import annotations

from typing import Any


def create_role_groups(sender: Any, **kwargs: Any) -> None:
    from roadmap.accounts.roles import ensure_role_groups

    ensure_role_groups()
