"""The chase of the roadmap app: reminders about event reports. ``notifications`` claims
every notice due now (``chase_claim``), delivers and retries it; ``tasks`` are the Celery
wrappers beat runs (task names ``roadmap.chase_reports``, ``roadmap.deliver_notifications``,
``roadmap.retry_notifications``: stored in django-celery-beat, never renamed); the inbox
(``views``, ``api``) and the notifications' admin (``admin``).

May import: ``roadmap.models``, ``roadmap.accounts``, ``roadmap.plans``, ``roadmap.events``, ``copp.web``.
Never ``indicators`` or ``reports``.
"""
