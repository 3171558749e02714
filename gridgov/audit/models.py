"""Append-only, hash-chained audit records.

Each record is linked by an HMAC to the previous record of the same chain (one chain per
audited object), so writers touching different objects never wait for each other. Closed days
are sealed by ``AuditAnchor`` rows, themselves chained, and the open day at least every
``GRIDGOV_AUDIT_SEAL_SECONDS`` by ``AuditCheckpoint`` rows, so a record deleted from the end of a
chain or a whole chain removed is caught too. ``AuditKeyEpoch`` records a rotation of the
HMAC key. See ``gridgov.audit.chain`` and docs/decisions/0001-audit-chain.md.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import NOTHING, RestrictedQuerySet


class ImmutableError(Exception):
    """Raised on any attempt to change or delete audit records through the application."""


class ImmutableQuerySet(models.QuerySet):
    """Refuses bulk changes; the database triggers (migration 0002) refuse raw SQL too."""

    def update(self, **kwargs):
        raise ImmutableError("audit records cannot be changed")

    def delete(self):
        raise ImmutableError("audit records cannot be deleted")


class AuditQuerySet(ImmutableQuerySet, RestrictedQuerySet):
    pass


class AuditRecord(models.Model):
    """One audited action: who, under which role, did what to which object, and the change."""

    chain_key = models.CharField(max_length=120)
    seq = models.PositiveIntegerField()
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=120, blank=True)
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    remark = models.TextField(_("备注"), blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True, db_index=True)
    client_ip = models.CharField(_("客户端地址"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["chain_key", "seq"], name="audit_chain_seq"),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("audit records cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("audit records cannot be deleted")

    @classmethod
    def restrict_q(cls, scope, action):
        # Only holders of "audit.view_log" (the audit administrator) read the log; nobody
        # changes it.
        if action == "view" and scope.can("audit.view_log"):
            return None
        return NOTHING


class ChainHead(models.Model):
    """The latest link of one chain; locked row-wise so each chain has one writer at a time.

    ``purged_seq``/``purged_hash`` are the last link a retention purge removed from the start
    of the chain (0/"" when nothing was purged): the first kept record must follow it. Their
    keyed digest is sealed in the latest ``AuditPurgeMark``, so they cannot be moved silently.
    """

    chain_key = models.CharField(max_length=120, primary_key=True)
    seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    purged_seq = models.PositiveIntegerField(default=0)
    purged_hash = models.CharField(max_length=64, default="", blank=True)

    def __str__(self):
        return f"{self.chain_key}#{self.seq}"


class AuditAnchor(models.Model):
    """A seal over every record of one closed day (count and digest), chained to the day before."""

    day = models.DateField(unique=True)
    record_count = models.PositiveIntegerField()
    records_digest = models.CharField(max_length=64)
    first_id = models.BigIntegerField(null=True)
    last_id = models.BigIntegerField(null=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["day"]
        verbose_name = _("审计日锚")
        verbose_name_plural = _("审计日锚")

    def __str__(self):
        return f"{self.day} ({self.record_count})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("audit anchors cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("audit anchors cannot be deleted")


class AuditPurgeMark(models.Model):
    """What a retention purge removed, kept forever and chained to the previous purge mark.

    After a purge the anchor chain starts at the anchor after ``cut_day``, whose ``prev_hash``
    must equal ``anchor_hash`` (the hash of the last purged anchor), and every chain that lost
    its first records starts after its head's ``purged_seq``/``purged_hash``, whose keyed digest
    (``heads_count``, ``heads_digest``) is sealed here. So ``gridgov audit verify`` stays valid
    after a purge, yet still catches records removed after the cut. See
    docs/decisions/0001-audit-chain.md.
    """

    cut_day = models.DateField(_("清理截止日"), unique=True)
    anchor_hash = models.CharField(max_length=64)
    records_purged = models.PositiveBigIntegerField(_("清理记录数"))
    anchors_purged = models.PositiveIntegerField(_("清理日锚数"))
    heads_count = models.PositiveBigIntegerField()
    heads_digest = models.CharField(max_length=64)
    at = models.DateTimeField(_("清理时间"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["cut_day"]
        verbose_name = _("审计清理标记")
        verbose_name_plural = _("审计清理标记")

    def __str__(self):
        return f"≤ {self.cut_day}: {self.records_purged}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("audit purge marks cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("audit purge marks cannot be deleted")


class AuditCheckpoint(models.Model):
    """A seal over the open day so far: the records of ``day`` with id up to ``upto_id``.

    Written by the server itself (``gridgov.audit.autoseal``), ``gridgov audit anchor`` and the
    Celery task, so a record deleted before the day is closed is caught as it would be on a
    sealed day. ``records_digest`` chains from the previous checkpoint of the same day
    (``chain.checkpoint_digest``); ``prev_hash`` is that checkpoint's hash, or for the day's
    first one the hash of the last anchor before the day. ``prev_hash`` is unique, so two
    processes sealing at once cannot fork the chain: the second insert fails and retries.
    """

    day = models.DateField()
    upto_id = models.BigIntegerField()
    record_count = models.PositiveIntegerField()
    records_digest = models.CharField(max_length=64)
    at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["day", "upto_id"]
        constraints = [
            models.UniqueConstraint(fields=["day", "upto_id"], name="audit_checkpoint_day_upto"),
        ]
        verbose_name = _("审计检查点")
        verbose_name_plural = _("审计检查点")

    def __str__(self):
        return f"{self.day} ≤ #{self.upto_id} ({self.record_count})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("audit checkpoints cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("audit checkpoints cannot be deleted")


class AuditKeyEpoch(models.Model):
    """A rotation of the audit HMAC key, written by ``gridgov audit rotate-key``.

    From here on only the key ``key_id`` signs. What the retired key ``retired_key_id`` signed
    stays valid only up to this point: records with id up to ``upto_id``, and anchors,
    checkpoints and purge marks up to the chain tips pinned here (``anchor_*``,
    ``checkpoint_*``, ``mark_*``, each chain's latest link at the rotation). ``hash`` is the
    HMAC under the new key, which a holder of the old key cannot forge, so the old key cannot
    be used to rewrite history before the rotation or to add anything after it; ``old_hash`` is
    under the retired key (whoever rotated held it). Chained by ``prev_hash``.
    """

    key_id = models.CharField(max_length=16)
    retired_key_id = models.CharField(max_length=16)
    upto_id = models.BigIntegerField()
    anchor_day = models.DateField(null=True)
    anchor_hash = models.CharField(max_length=64, blank=True)
    checkpoint_day = models.DateField(null=True)
    checkpoint_upto = models.BigIntegerField(null=True)
    checkpoint_hash = models.CharField(max_length=64, blank=True)
    mark_day = models.DateField(null=True)
    mark_hash = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)
    old_hash = models.CharField(max_length=64)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计密钥轮换")
        verbose_name_plural = _("审计密钥轮换")

    def __str__(self):
        return f"{self.retired_key_id} → {self.key_id} (≤ #{self.upto_id})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("audit key epochs cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("audit key epochs cannot be deleted")


class AuditVerification(models.Model):
    """Where a successful ``verify`` got to, so that the next run can be incremental.

    Every record with id up to ``upto_id`` (``record_count`` of them) had its link and HMAC
    recomputed by this run or by the runs before it, and every closed day up to
    ``anchor_day`` (whose anchor had ``anchor_hash``) was compared with its seal; ``mark_hash``
    is the latest purge mark then. An incremental run recomputes only the records after
    ``upto_id`` and the days after ``anchor_day``, and checks that the rows verified before
    are still all there (counts against this row and against the anchors). ``hash`` is the
    HMAC of all of it under the audit key, so a forged row (one that would make a run skip
    tampered records) is refused; deleting rows only makes the next run do more.
    ``mode`` is how the run went (``full`` or ``incremental``), ``records_checked`` how many
    records it recomputed. See docs/decisions/0001-audit-chain.md, "Incremental verification".
    """

    upto_id = models.BigIntegerField()
    record_count = models.PositiveBigIntegerField()
    anchor_day = models.DateField(null=True)
    anchor_hash = models.CharField(max_length=64, blank=True)
    mark_hash = models.CharField(max_length=64, blank=True)
    mode = models.CharField(max_length=12)
    records_checked = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    hash = models.CharField(max_length=64, unique=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计校验进度")
        verbose_name_plural = _("审计校验进度")

    def __str__(self):
        return f"{self.mode} ≤ #{self.upto_id} ({self.at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("audit verifications cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("audit verifications cannot be deleted")
