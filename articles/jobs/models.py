"""The row of one admin import run as a background job (its preview or its confirm): what
the editor's page polls (state, progress) and reads when it is done (result or error)."""
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..fields import UnicodeJSONEncoder

MAX_ATTEMPTS = 2  # runs of one job, crashed ones included (django-q2 does not count those)


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        PREVIEW = "preview", _("预览")
        CONFIRM = "confirm", _("确认导入")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("步骤"), max_length=10, choices=Kind.choices)
    ticket = models.TextField(
        _("暂存票据"), help_text=_("预览与确认之间上传文件暂存处的签名票据。"))
    filename = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="import_jobs", verbose_name=_("编辑"),
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices,
                             default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(
        _("进度（%）"), default=0, validators=[MaxValueValidator(100)])
    stage = models.CharField(_("当前步骤"), max_length=60, blank=True)
    attempts = models.PositiveSmallIntegerField(
        _("运行次数"), default=0,
        help_text=_("每次开始运行加一，包括被中断的运行；满 %(n)d 次仍未完成即为失败。")
        % {"n": MAX_ATTEMPTS})
    error = models.CharField(_("错误"), max_length=500, blank=True,
                             help_text=_("给编辑看的一句话说明。"))
    traceback = models.TextField(_("错误详情（运维用）"), blank=True)
    edits = models.JSONField(
        _("预览中的修改"), default=dict, blank=True, encoder=UnicodeJSONEncoder,
        help_text=_("确认导入时预览表单提交的内容，由确认任务照原样写入。"))
    result = models.JSONField(
        _("结果"), null=True, blank=True, encoder=UnicodeJSONEncoder,
        help_text=_("预览：显示预览页所需的数据；确认：导入的汇编及其摘要。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ("-created_at", "-id")

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()}：{self.filename}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
