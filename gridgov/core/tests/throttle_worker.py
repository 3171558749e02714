"""A separate process counting on the shared throttle (run by test_throttle.py).

    python -m gridgov.core.tests.throttle_worker --create          # make core_ratecounter
    python -m gridgov.core.tests.throttle_worker KEY LIMIT THREADS HITS NOW

Settings come from the environment (``DATABASE_URL``, ``GRIDGOV_THROTTLE_STORE``,
``REDIS_URL``). Each thread has its own database connection (Django's are per thread); the
process prints one JSON line: the counts it saw and how many of its hits were allowed. Every
hit is counted at the time NOW (epoch seconds) in a window of ``WINDOW``, so all processes
count in the same window whenever they run.
"""

import json
import os
import sys
import threading
import traceback

WINDOW = 600


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.db import connection, connections

    from gridgov.core import throttle
    from gridgov.core.models import RateCounter

    if argv[:1] == ["--create"]:
        with connection.schema_editor() as editor:
            editor.create_model(RateCounter)
        return
    key, limit, threads, hits = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    now = float(argv[4])
    counts, allowed, errors = [], [], []
    start = threading.Barrier(threads)

    def run():
        try:
            start.wait()
            for _ in range(hits):
                decision = throttle.hit("test-shared", key, limit=limit, window=WINDOW,
                                        now=now)
                counts.append(decision.count)
                allowed.append(decision.allowed)
        except Exception as exc:  # reported to the test, which fails on it
            errors.append("".join(traceback.format_exception(exc)))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps({"counts": counts, "allowed": sum(allowed), "errors": errors}))


if __name__ == "__main__":
    main(sys.argv[1:])
