"""Settings of the test suite: the development profile of ``copp.settings``.

pytest-django still turns ``DEBUG`` off inside every test; what this keeps is
the development transport (no HTTPS redirect, no secure-only cookies) and the
development key, which the production profile refuses. Subprocesses started by
tests (Celery workers, race scripts) inherit the same environment.
"""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "1")

from copp.settings import *  # noqa: F403
