from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser

from roadmap.accounts.roles import GROUP_NAMES, Role, ensure_role_groups
from roadmap.models import Organization, User

# (login, role, organisation key, last name, first name)
DEMO_USERS = [
    ("ministry", Role.MINISTRY, "ministry", "Алексеенко", "Екатерина"),
    ("copp", Role.COPP, "copp", "Иванов", "Пётр"),
    ("coordinator", Role.COORDINATOR, "tgmk", "Смирнова", "Анна"),
    ("admin", Role.ADMIN, None, "Администратор", ""),
    ("federal", Role.FEDERAL, None, "Федеральный", "Наблюдатель"),
]


class Command(BaseCommand):
    help = "Create one demo user per role (for a local demo only) and print their logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default="demo12345", help="password for every demo user")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_role_groups()
        password = options["password"]
        orgs = {o.key: o for o in Organization.objects.filter(key__isnull=False)}
        self.stdout.write("Demo users (login / password / role):")
        for login, role, org_key, last_name, first_name in DEMO_USERS:
            user, created = User.objects.get_or_create(username=login)
            user.last_name, user.first_name = last_name, first_name
            user.email = f"{login}@example.org"
            user.organization = orgs.get(org_key) if org_key else None
            user.is_staff = role is Role.ADMIN
            user.is_superuser = role is Role.ADMIN
            if created:
                user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
            org = f", {user.organization}" if user.organization else ""
            shown = password if created else "(unchanged)"
            self.stdout.write(f"  {login:<12} {shown:<12} {GROUP_NAMES[role]}{org}")
