"""The built-in kinds of background work (``registry.register``)."""

from django.utils.translation import gettext_lazy as _

from . import registry


def verify_audit(progress, actor):
    """审计链校验: ``audit.verify.verify_all`` with progress; audited like the page's run."""
    from gridgov.audit import anchor_log
    from gridgov.audit.actions import record_verify
    from gridgov.audit.verify import verify_all

    result = verify_all(anchor_log=anchor_log.path(), progress=progress)
    record_verify(actor=actor, result=result)
    broken = result.broken
    return {
        "ok": result.ok, "records": result.records, "chains": result.chains,
        "anchors": result.anchors, "checkpoints": result.checkpoints,
        "mode": str(result.mode_text),
        "purge_marks": result.purge_marks, "problems": result.problems,
        "warnings": [str(w) for w in result.warnings], "summary": result.summary(),
        "broken": None if broken is None else {
            "label": str(broken.label), "text": str(broken), "record_id": broken.record_id},
    }


def verify_summary(result: dict) -> list:
    return [(_("结论"), _("完整") if result.get("ok") else _("发现篡改")),
            (_("记录数"), result.get("records")), (_("对象链数"), result.get("chains"))]


registry.register("audit.verify", verify_audit, label=_("审计链校验"),
                  permission="audit.verify_chain", summary=verify_summary)


def run_rules(progress, actor):
    """立即运行规则: every active rule, with a progress report per rule."""
    from gridgov.rules.actions import run_rules as run

    result = run(actor=actor, progress=progress)
    return {"rules": result.rules_evaluated, "fired": result.fired, "skipped": result.skipped,
            "errors": result.errors, "seconds": round(result.duration_ms / 1000, 1)}


def rules_summary(result: dict) -> list:
    return [(_("评估规则数"), result.get("rules")), (_("新触发"), result.get("fired")),
            (_("已触发跳过"), result.get("skipped")), (_("错误"), result.get("errors")),
            (_("用时(秒)"), result.get("seconds"))]


registry.register("rules.run", run_rules, label=_("运行主动服务规则"),
                  permission="rules.manage", summary=rules_summary)
