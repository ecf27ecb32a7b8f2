"""The read API (Django REST framework, schema by drf-spectacular): ``/api/…``.

Read-only, with the reader site's permissions: drafts only for editors, members-only bodies
only for members and editors (everyone else gets the free preview), search in the caller's
scope. Documented at ``/api/schema/`` (OpenAPI 3) and ``/api/docs/``.
"""
