"""Repositories: the queries of one table each, bound to the unit of work's session.

They never commit and never open sessions; `db.uow.UnitOfWork` hands them out and owns the
transaction. Rows go out as the SQLModel models or as small frozen values.
"""
