from __future__ import annotations

from django.urls import path

from indicators import views

urlpatterns = [
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("actuals/", views.actual_list, name="actual_list"),
    path("actuals/new/", views.actual_create, name="actual_create"),
    path("actuals/approve/", views.actual_bulk_approve, name="actual_bulk_approve"),
    path("actuals/<int:pk>/", views.actual_detail, name="actual_detail"),
    path("actuals/<int:pk>/submit/", views.actual_action, {"action": "submit"}, name="actual_submit"),
    path("actuals/<int:pk>/approve/", views.actual_action, {"action": "approve"}, name="actual_approve"),
    path("actuals/<int:pk>/return/", views.actual_action, {"action": "return"}, name="actual_return"),
    path("actuals/<int:pk>/reopen/", views.actual_action, {"action": "reopen"}, name="actual_reopen"),
]
