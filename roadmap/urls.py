from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from roadmap.accounts import views as accounts_views
from roadmap.chase import views as chase_views
from roadmap.events import views
from roadmap.events.forms import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("inbox/", chase_views.inbox, name="inbox"),
    path("profile/", accounts_views.profile, name="profile"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/report/", views.event_report, name="event_report"),
    path("events/<int:pk>/evidence/", views.event_evidence_add, name="event_evidence_add"),
    path("events/<int:pk>/accept/", views.event_review, {"action": "accept"}, name="event_accept"),
    path("events/<int:pk>/return/", views.event_review, {"action": "return"}, name="event_return"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.event_evidence_delete, name="event_evidence_delete"),
]
