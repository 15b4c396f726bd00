"""The dashboard and the overview pages: the regional picture of events, activities and
indicators of a plan and year (``snapshot``: built once, cached, refreshed after writes by
the task ``roadmap.refresh_dashboard``), the timeliness table and a coordinator's «my tasks».

May import: ``indicators`` and ``roadmap`` (it sits above both), ``copp.web``.
"""
