"""Accounts of the roadmap app: roles (``roles``), who sees and changes what (``permissions``),
the admin's scoping mixins (``admin_doors``), the role groups made after migrate (``signals``)
and the typed signed-in user of a request (``signed_in``).

May import: ``roadmap.models`` and Django only. Every other part of the project may import it.
"""
