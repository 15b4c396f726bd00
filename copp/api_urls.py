"""/api/v1/: each app contributes its router."""

from __future__ import annotations

from indicators.api import router as indicators_router
from reports.api import router as reports_router
from roadmap.api import router as roadmap_router

urlpatterns = [*roadmap_router.urls, *indicators_router.urls, *reports_router.urls]
