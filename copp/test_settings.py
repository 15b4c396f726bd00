"""Settings of the test suite (pytest.ini): ``copp.settings`` with a test-only SECRET_KEY.

``copp.settings`` refuses to start with DEBUG off and no SECRET_KEY; the
suite runs with DEBUG off, as production does, so it brings its own key (an
environment variable, so the servers and commands the tests start in
subprocesses get it too). A key in the environment is kept.
"""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-never-used-by-a-server-0123456789")

from copp.settings import *  # noqa: F403
