"""Bounds on numbers people type, shared by every door that accepts them.

A count of people or a planned/actual figure beyond these is a typo or an
attack, never a real value for one regional organisation; refusing it early
keeps 64-bit columns from overflowing (a 500) and keeps sums meaningful.
"""

from __future__ import annotations

# Participants of one event (any breakdown field too).
MAX_PARTICIPANTS = 10_000_000
# An indicator value (targets and actual values).
MAX_INDICATOR_VALUE = 10**12
# The API's page size cap (``?limit=``).
MAX_PAGE_LIMIT = 500
# Files attached in one upload (the event page's form, the report form).
MAX_EVIDENCE_FILES = 20
