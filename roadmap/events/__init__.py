"""Events of the roadmap app: registering an event (``services``), its report and evidence,
the report status (``status``), participant lists, the selectors, the API, the forms and
the HTML pages of activities, events and the inbox.

May import: ``roadmap.models``, ``roadmap.accounts``, ``roadmap.plans`` and, for the
notices a review sends and the inbox, ``roadmap.chase.notifications``.
"""
