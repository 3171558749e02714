"""Retry examples of the rules API's writes for gridgov/core/tests/test_retry_every_write.py:
who calls each operation, the path's parameters and a valid body (``p``: the workflow people
of events/tests/workflow_support)."""

from gridgov.demo.users import GULOU_GRID

RULE_BODY = {"name": "重试规则", "subject": "person",
             "conditions": [{"fact": "age", "op": ">=", "value": 100}],
             "outcome": "proactive.benefit", "outcome_params": {"kind": "elderly_allowance"},
             "period": "year", "area_code": GULOU_GRID}


def _rule(p):
    from gridgov.rules import actions

    return actions.save_rule(None, **RULE_BODY, actor=p["sys_admin"])


def examples(Example) -> dict:
    """``{operationId: lambda p: Example(actor, params, body)}``."""

    def change(p):
        rule = _rule(p)
        return Example(p["sys_admin"], {"id": rule.pk},
                       {"name": "重试规则(改)", "expected_version": rule.version})

    def retire(p):
        rule = _rule(p)
        return Example(p["sys_admin"], {"id": rule.pk}, {"expected_version": rule.version})

    return {
        "rules_create": lambda p: Example(p["sys_admin"], body=RULE_BODY),
        "rules_partial_update": change,
        "rules_retire_create": retire,
    }
