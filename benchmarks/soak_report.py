"""The soak test's report: requests, latencies and errors per kind, against the baseline it
states, and the "anything lost" checks; the exit status says whether every goal was met."""

import os
import re

# The baseline every run is held to (issue 16: every page and API under 300 ms p95).
GOAL_ERRORS = 0
GOAL_LOST = 0
GOAL_P95_MS = 300
# The errors and server tracebacks printed in full.
SHOW_ERRORS = 8
SHOW_TRACEBACKS = 3


def percentile(values: list, q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))]


def latency_table(stats, wall: float) -> tuple[list[str], list[str]]:
    """One line per kind, and the kinds over the p95 goal."""
    lines = [f"{'kind':<34} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} "
             f"{'p99 ms':>7} {'retried':>7} {'errors':>6}  p95 goal"]
    slow = []
    for kind in sorted(stats.latencies):
        values = stats.latencies[kind]
        p95 = percentile(values, 95) * 1000
        met = p95 <= GOAL_P95_MS
        if not met:
            slow.append(kind)
        lines.append(f"{kind:<34} {len(values):>8} {len(values) / wall:>6.1f} "
                     f"{percentile(values, 50) * 1000:>7.0f} {p95:>7.0f} "
                     f"{percentile(values, 99) * 1000:>7.0f} {stats.retried.get(kind, 0):>7} "
                     f"{stats.error_counts.get(kind, 0):>6}  {'ok' if met else 'OVER'}")
    total = sum(len(v) for v in stats.latencies.values())
    every = [x for v in stats.latencies.values() for x in v]
    lines.append(f"{'all':<34} {total:>8} {total / wall:>6.1f} "
                 f"{percentile(every, 50) * 1000:>7.0f} {percentile(every, 95) * 1000:>7.0f} "
                 f"{percentile(every, 99) * 1000:>7.0f} {sum(stats.retried.values()):>7} "
                 f"{sum(stats.error_counts.values()):>6}")
    return lines, slow


def timeline(stats, wall: float, bucket: float = 15) -> list[str]:
    """Requests, retried, errors and p95 per ``bucket`` seconds (the restart shows here)."""
    t0 = getattr(stats, "t0", None)
    if t0 is None:
        return []
    rows = []
    for start in range(0, int(wall + bucket), int(bucket)):
        inside = [s for s in stats.samples if start <= s[0] - t0 < start + bucket]
        if not inside:
            continue
        rows.append(f"  {start:>4}-{start + int(bucket):<4} s {len(inside):>5} requests "
                    f"{sum(1 for s in inside if s[3]):>4} retried "
                    f"{sum(1 for s in inside if not s[2]):>4} errors   p95 "
                    f"{percentile([s[1] for s in inside], 95) * 1000:>6.0f} ms")
    return rows


def tracebacks(stack) -> list[str]:
    """The distinct tracebacks in the servers', worker's and beat's logs (a 500 names its
    cause there), each by its last lines, with how often it occurred."""
    seen: dict[str, list] = {}
    for name in ("a", "b", "worker", "beat"):
        log = stack.log(name)
        if not log.exists():
            continue
        text = log.read_text(errors="replace")
        for block in text.split("Traceback (most recent call last):")[1:]:
            lines = []
            for line in block.splitlines()[1:]:
                lines.append(line)
                if line and not line[0].isspace():
                    break  # the exception line ends the traceback
            if not lines:
                continue
            key = lines[-1]
            if key in seen:
                seen[key][1] += 1
            else:
                seen[key] = [f"--- {name}.log ---\n" + "\n".join(app_frames(lines)), 1]
    return [f"{text}\n    (seen {count} times)" for text, count in
            list(seen.values())[:SHOW_TRACEBACKS]]


def app_frames(lines: list[str], keep: int = 8) -> list[str]:
    """The traceback's frames in GridGov's own code (each with its source line), the last
    ``keep`` of them, and the exception line: where in the application it broke."""
    frames = []
    for i, line in enumerate(lines[:-1]):
        if line.lstrip().startswith('File "') and "/gridgov/" in line and ".venv" not in line:
            frames.append(line)
            if i + 1 < len(lines) - 1 and not lines[i + 1].lstrip().startswith('File "'):
                frames.append(lines[i + 1])
    return frames[-2 * keep:] + [lines[-1]]


def shorten(body: str) -> str:
    """An error body for one line: an HTML page by its title, anything else cut."""
    match = re.search(r"<title>(.*?)</title>", body, re.S)
    if match:
        return f"HTML page “{match.group(1).strip()}”"
    return " ".join(body.split())[:400]


def print_report(args, stats, ledger, events, checks, stack) -> int:
    """Print everything; 0 when nothing failed or was lost (errors, lost writes, jobs, audit
    chain, beat), else 1. Latency over the goal is reported, not failed: it depends on the
    machine and on what else runs on it."""
    wall = events["wall (s)"]
    print()
    print(f"baseline (goals): {GOAL_ERRORS} errors, {GOAL_LOST} lost writes, every background "
          f"job ended, audit chain intact, audit seal and deadline scan run by beat, p95 ≤ "
          f"{GOAL_P95_MS} ms per kind")
    print(f"run: {wall:.0f} s, {args.clients} clients over 2 app servers; "
          + ", ".join(f"{k} {v:.1f}" for k, v in events.items() if k != "wall (s)")
          + f" ({os.cpu_count()} CPUs)")
    lines, slow = latency_table(stats, wall)
    print()
    print("\n".join(lines))
    print("\ntimeline (request end time after the load started):")
    print("\n".join(timeline(stats, wall)))
    errors = sum(stats.error_counts.values())
    if stats.conflicts:
        print(f"\n409 on a case whose version (not state) had moved, retried with the current "
              f"version (not errors): {dict(stats.conflicts)}")
    print(f"\nretries by reason (each a try on the other server): "
          f"{dict(stats.retry_reasons) or 'none'}")
    print(f"errors: {errors}")
    shown: dict = {}
    for when, kind, status, body in stats.errors:
        # The first two of each kind, so one noisy kind does not hide the others.
        if shown.get(kind, 0) < 2 and sum(shown.values()) < SHOW_ERRORS:
            shown[kind] = shown.get(kind, 0) + 1
            print(f"  {when} UTC {kind}: {status or 'no answer'} {shorten(body)}")
    found = tracebacks(stack)
    if found:
        print("server tracebacks (first ones):")
        for text in found:
            print(text)
    lost = checks["lost reports"] + checks["lost steps"]
    print(f"\nanything lost: {len(ledger.reports)} reports acknowledged (API 201, Open311 200), "
          f"{len(ledger.transitions)} workflow steps acknowledged (200, "
          f"{sum(1 for _e, a in ledger.transitions if a == 'dispatch')} dispatches, "
          f"{sum(1 for _e, a in ledger.transitions if a == 'verify')} closed): "
          f"{len(lost)} missing their event, audit record or trace step")
    for item in lost[:SHOW_ERRORS]:
        print(f"  {item}")
    jobs = checks["jobs"]
    unfinished = {u: s for u, s in jobs.items() if s not in ("done", "failed", "cancelled")}
    print(f"background jobs (审计链校验): {len(jobs)} submitted, "
          f"{sum(1 for s in jobs.values() if s == 'done')} done, "
          f"{sum(1 for s in jobs.values() if s == 'failed')} failed, "
          f"{len(unfinished)} not finished {unfinished or ''}")
    verify = checks["verify"]
    verify_text = (verify.stdout + verify.stderr).strip().splitlines()
    print(f"gridgov audit verify: exit {verify.returncode}; "
          + " | ".join(verify_text[-4:]))
    beat_ok = True
    for name, (ok, text) in checks["beat"].items():
        beat_ok &= ok
        print(f"scheduled job {name} via beat: {'yes' if ok else 'NO'} ({text})")
    print("RSS at the end (MiB, process tree): "
          + ", ".join(f"{k} {v:.0f}" for k, v in sorted(checks["rss"].items())))
    failed_jobs = sum(1 for s in jobs.values() if s != "done")
    met = (errors <= GOAL_ERRORS and len(lost) <= GOAL_LOST and not failed_jobs
           and verify.returncode == 0 and beat_ok)
    print(f"\nverdict: {'no error, nothing lost' if met else 'ERRORS OR LOSSES (see above)'}; "
          + (f"p95 over {GOAL_P95_MS} ms in {len(slow)} of {len(stats.latencies)} kinds: "
             + ", ".join(slow) if slow else f"every kind's p95 within {GOAL_P95_MS} ms"))
    return 0 if met else 1
