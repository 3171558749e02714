"""Demo needs analysis: read the demo's reports, hotline work orders, visits and contact logs
into the needs index and roll it up (the job the server runs every 15 minutes).

Deterministic (the classifier has no randomness); idempotent: a second run reads nothing new.
Called after the events, visits and party-work demo data are in place.
"""


def load(stdout=None, *, full: bool = False) -> dict:
    """Read what is new (``full``: everything again) into the needs figures."""
    from gridgov.needs import actions

    totals = actions.refresh_needs(actor=None, full=full)
    if stdout is not None:
        stdout.write(f"需求分析 needs: {totals['texts']} texts read, "
                     f"{totals['mentions']} mentions, {totals['counts']} counts\n")
    return totals
