from __future__ import annotations

from django.urls import path

from reports import views
from reports.dashboard import views as dashboard_views

urlpatterns = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/body/", dashboard_views.dashboard_body, name="dashboard_body"),
    path("dashboard/timeliness/", dashboard_views.timeliness, name="timeliness"),
    path("tasks/", dashboard_views.tasks, name="tasks"),
    path("regions/", views.region_comparison, name="region_comparison"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
    path("reports/<int:pk>/rebuild/", views.report_rebuild, name="report_rebuild"),
    path("exports/<slug:name>/", views.list_export, name="list_export"),
    path("imports/", views.import_start, name="import_start"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/template/<slug:kind>/", views.import_template, name="import_template"),
]
