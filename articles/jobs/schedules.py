"""The scheduled jobs, as django-q2 Schedule rows kept in step with the code and settings
after every ``migrate`` (a post_migrate handler, not a data migration: a data migration runs
once, so it could neither follow a later change of ``SITE_URL`` nor restore the rows after a
flush; this handler is idempotent, matching rows by name, so a second migrate changes
nothing). Times are the site's (TIME_ZONE, Asia/Shanghai), as django-q2 reads cron lines.

- 每夜检查搜索索引: ``check_search_index`` at 03:00 (a stale index fails the task, with the
  command's message, in the admin's failed tasks);
- 每日关注摘要: ``send_digests --site-url SITE_URL`` at 07:00, only when ``SITE_URL`` is set
  (the mails' links need it);
- 清理过期的导入暂存文件: the staged uploads older than a ticket's life, hourly.
The code decides what runs when: a row changed in the admin (计划任务) is put back by the
next migrate; a row already as wanted keeps its next run.
"""
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

PREFIX = "huibian: "


def wanted() -> list[dict]:
    """The schedules the settings ask for: name, func, args and when."""
    from django_q.models import Schedule

    rows = [
        {"name": PREFIX + "每夜检查搜索索引", "func": "articles.jobs.tasks.run_command",
         "args": repr("check_search_index"), "schedule_type": Schedule.CRON,
         "cron": "0 3 * * *"},
        {"name": PREFIX + "清理过期的导入暂存文件",
         "func": "articles.jobs.tasks.clear_expired_uploads", "args": None,
         "schedule_type": Schedule.HOURLY, "cron": None},
    ]
    if settings.SITE_URL:
        rows.append({"name": PREFIX + "每日关注摘要", "func": "articles.jobs.tasks.run_command",
                     "args": f"{'send_digests'!r}, {'--site-url=' + settings.SITE_URL!r}",
                     "schedule_type": Schedule.CRON, "cron": "0 7 * * *"})
    return rows


def ensure_schedules(using=DEFAULT_DB_ALIAS) -> None:
    """Create, correct or remove our Schedule rows (those named ``PREFIX…``); rows that are
    as wanted are left alone, so their next run stays."""
    from django_q.models import Schedule

    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return  # django_q migrated backwards, or not yet
    wanted_rows = {row["name"]: row for row in wanted()}
    existing = {}
    for schedule in Schedule.objects.using(using).filter(name__startswith=PREFIX).order_by("pk"):
        if schedule.name in existing or schedule.name not in wanted_rows:
            schedule.delete()  # a duplicate, or one the settings no longer ask for
        else:
            existing[schedule.name] = schedule
    for name, row in wanted_rows.items():
        schedule = existing.get(name)
        if schedule is None:
            Schedule(**row, repeats=-1).save(using=using)  # save() computes a cron's next run
        elif any(getattr(schedule, field) != value for field, value in row.items()):
            for field, value in row.items():
                setattr(schedule, field, value)
            schedule.repeats = -1
            schedule.next_run = (schedule.calculate_next_run() if schedule.cron
                                 else timezone.now())
            schedule.save(using=using)


def after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver (articles.apps)."""
    ensure_schedules(using)
