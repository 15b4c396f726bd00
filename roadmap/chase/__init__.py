"""The chase of the roadmap app: reminders about event reports. ``notifications`` claims
every notice due now (``chase_claim``), delivers and retries it; ``tasks`` are the Celery
wrappers beat runs (task names ``roadmap.chase_reports``, ``roadmap.deliver_notifications``,
``roadmap.retry_notifications``: stored in django-celery-beat, never renamed).

May import: ``roadmap.models``, ``roadmap.accounts``, ``roadmap.plans``, ``roadmap.events``.
"""
