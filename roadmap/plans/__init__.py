"""Plans of the roadmap app: plans, sections, activities, organisations, the plan data file
loader (``loader`` with the section registry ``sections``), the deadline grammar
(``deadline_grammar``, ``deadline_windows``, ``deadlines``: where an event's report due
moment is computed, ``report_due_at``), control points and activity status, plan copy and
the current plan.

May import: ``roadmap.models`` and ``roadmap.accounts``. Never ``roadmap.events``/``chase``
(a reload's recomputation of open events' due moments is a hook the events register in
``roadmap.plans.sections``), never ``indicators`` or ``reports`` (they register the plan
file sections they load there).
"""
