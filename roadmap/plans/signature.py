"""The signature block of a plan's reports, from its data file or its contacts.

A plan file may carry a ``signature:`` block (head, head_position, executor,
phone). A file without it -- and plans stored before the block existed, see
migration 0007 -- take it from the order's own contact lines: ``signed_by``
("Л.Ю. Сорокина, директор департамента ...") gives the head and position,
``contact`` ("Алексеенко Екатерина Витальевна, тел. 8(4872) 24-51-04") the
executor and phone.
"""

from __future__ import annotations

import re

SIGNATURE_KEYS = ("head", "head_position", "executor", "phone")

_PHONE = re.compile(r"^(?P<name>.*?)[,;]?\s*(?:тел\.?|телефон:?)\s*(?P<phone>.+)$", re.IGNORECASE)


def signature_from_contacts(signed_by: str, contact: str) -> dict[str, str]:
    """The four signature values read from the plan's contact lines ('' where absent)."""
    head, _, position = (signed_by or "").partition(",")
    contact = (contact or "").strip()
    match = _PHONE.match(contact)
    executor, phone = (match["name"], match["phone"]) if match else (contact, "")
    return {
        "head": head.strip(),
        "head_position": position.strip(),
        "executor": executor.strip().rstrip(","),
        "phone": phone.strip(),
    }
