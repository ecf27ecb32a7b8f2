"""Background jobs: django-q2 with its ORM broker, so the queue is a table in the site's own
database (SQLite in development, PostgreSQL in production) and needs no other service.

Chosen over Huey, django-tasks-db, procrastinate, django-rq and dramatiq after measuring them
(issue #14): it is the only one that re-ran a job whose worker was killed with SIGKILL on both
databases, retries a failing job and shows failures in the admin, and has cron schedules in
the site's time zone. What follows from how it works:

- Delivery is at least once. A job is claimed by locking its queue row for ``retry``
  seconds; a worker that dies leaves the lock to run out, and the job runs again. So
  ``retry`` is also the crash-recovery delay and must exceed the longest job (else a job
  still running is started twice); long imports have their own cluster, ``imports``, with a
  long timeout (settings ``Q_CLUSTER``). Every job here may run twice.
- A crashed attempt is not counted by django-q2, so an import that kills its worker every
  time would come back forever: ``ImportJob.attempts`` is our own count, moved when a run
  starts, and a job gives up after ``MAX_ATTEMPTS`` runs, crashed or failed.
- Payloads are pickled and signed with SECRET_KEY: jobs get row ids, never objects.

``models``: ``ImportJob``, an admin import's preview or confirm run by the imports cluster.
``tasks``: what the clusters run. ``schedules``: the scheduled jobs, kept after every migrate.
"""
