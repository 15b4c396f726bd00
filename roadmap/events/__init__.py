"""Events of the roadmap app: registering an event (``services``), its report and evidence,
the report status (``status``), participant lists, the selectors, the API, the forms and
the HTML pages of activities and events.

May import: ``roadmap.models``, ``roadmap.accounts``, ``roadmap.plans``, ``copp.web``.
Never ``roadmap.chase`` (the notice a returned report sends is a hook the chase registers:
``services.register_report_returned``), never ``indicators`` or ``reports``.
"""
