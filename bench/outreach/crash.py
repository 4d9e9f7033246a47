"""The crash figure of issue 16: `ttdn outreach_send` (a process of its own) killed with SIGKILL again and again
during one campaign, against a store-and-forward SMSC on loopback (tests/outreach/peer.py: the `smpp34`
package's SMPP 3.4 server, receipts kept for the next bind), then run to the end.

Usage: python bench/outreach/crash.py [--messages 20000] [--kills 10] [--database-url postgres://…] [--trace]
A fresh installation in a temporary folder (SQLite unless a database URL is given: that database must exist
and be empty). Prints duplicates and lost messages at the SMSC and the final states; the last line is one
JSON object. With --trace, each message sent twice is explained: when the SMSC took each copy and from which
session, what became of its receipt (written to which session, answered or not), the runs' starts and kills,
and what the killed run's journal said about it (the journals are copied before the next run reads them).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.outreach.peer import Peer  # noqa: E402
from tests.outreach.test_exactly_once import FIGURES, SETUP  # noqa: E402


def ttdn(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "ttdn.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ttdn-outreach-crash-"))
    env = {k: v for k, v in os.environ.items() if k not in ("TTDN_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["TTDN_DATA_DIR"] = str(folder)
    if args.database_url:
        env["TTDN_DATABASE_URL"] = args.database_url
    ttdn(env, "migrate", "-v0")
    send = ["outreach_send", "--operator", "viettel", "--until-idle", "--grace", "10"]
    kept = folder / "journals-seen"
    kept.mkdir()
    runs: list[tuple[float, str]] = []  # (time, "start N" / "kill N")
    with Peer(receipt_delay=0.2, trace=[] if args.trace else None) as peer:
        created = json.loads(ttdn(env, "shell", "-c", SETUP.format(port=peer.port, count=args.messages))
                             .strip().splitlines()[-1])
        assert created == args.messages, created
        step = args.messages // (args.kills + 2)
        kills, started = 0, time.monotonic()
        for _ in range(args.kills):
            target = peer.accepted_count() + step
            proc = subprocess.Popen([sys.executable, "-m", "ttdn.cli", *send], env=env, cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            runs.append((time.monotonic(), f"start {len(runs) // 2 + 1}"))
            deadline = time.monotonic() + 600
            while peer.accepted_count() < target and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait(60)
            runs.append((time.monotonic(), f"kill {kills}"))
            if args.trace:
                for path in folder.glob("outreach-viettel-*.journal"):
                    shutil.copy(path, kept / f"{kills:02d}-{path.name}")
            print(f"kill {kills}: {peer.accepted_count()} messages at the SMSC", flush=True)
        runs.append((time.monotonic(), "start final"))
        out = ttdn(env, *send, "--wait-receipts", "120")
        seconds = time.monotonic() - started
        received = Counter(d for d, _s, _m in peer.accepted)
    report = json.loads(out.strip().splitlines()[-1])
    if args.trace:
        explain(env, peer, runs, kept, started, [d for d, c in received.items() if c > 1])
    figures = json.loads(ttdn(env, "shell", "-c", FIGURES).strip().splitlines()[-1])
    duplicates = sum(c - 1 for c in received.values() if c > 1)
    lost = args.messages - len(received)
    print(f"{args.messages} messages, {kills} kills: {duplicates} duplicates, {lost} lost at the SMSC; "
          f"states {figures['states']}; after the kills {figures['recovered']} "
          f"({figures['reconciled']} settled from a journal or a receipt); "
          f"{seconds:.1f} s; load {os.getloadavg()[0]:.1f}")
    print(json.dumps({"messages": args.messages, "kills": kills, "duplicates": duplicates, "lost": lost,
                      "states": figures["states"], "reconciled": figures["reconciled"],
                      "recovered": figures["recovered"], "final_run_queried": report["queried"],
                      "final_run_settled_by_query": report["settled_by_query"],
                      "offered_again": figures["offered_again"], "campaign": figures["campaign"],
                      "final_binds": report["binds"], "seconds": round(seconds, 1),
                      "load": round(os.getloadavg()[0], 1),
                      "backend": "postgresql" if args.database_url else "sqlite"}))


MESSAGES = """
import json
from ttdn.outreach.models import Message
print(json.dumps({{m.number: [m.pk, m.state, m.offers, m.reason, m.reconciled]
                  for m in Message.objects.filter(number__in={numbers})}}))
"""


def explain(env: dict[str, str], peer: Peer, runs: list[tuple[float, str]], kept: Path, started: float,
            twice: list[str]) -> None:
    """Print, for each number the SMSC got twice, the timeline of its copies and their receipts."""
    assert peer.trace is not None
    rows = json.loads(ttdn(env, "shell", "-c", MESSAGES.format(numbers=repr(twice))).strip().splitlines()[-1])
    sessions: dict[str, str] = {}  # the SMSC's session → the run bound on it
    timeline = sorted([(t, "run", what, "", "") for t, what in runs] + peer.trace)
    run = "?"
    for _t, event, session, _d, _i in timeline:
        if event == "run":
            run = session
        elif event == "bind":
            sessions[session] = run.replace("start ", "run ")
    books = {p.name: p.read_text().splitlines() for p in sorted(kept.iterdir())}
    print(f"runs: {', '.join(f'{what} at {t - started:.2f}' for t, what in runs)}")
    for number in twice:
        pk = rows[number][0]
        print(f"--- {number} (message {pk}: state, offers, reason, reconciled = {rows[number][1:]})")
        ids = {i for _t, e, _s, d, i in peer.trace if e == "accept" and d == number}
        for t, event, session, destination, message_id in timeline:
            if destination == number or (message_id and message_id in ids):
                print(f"  {t - started:8.3f} {event:7} {sessions.get(session, session)} id {message_id}")
        for name, lines in books.items():
            said = [line for line in lines if line.split(" ")[1:2] == [str(pk)]]
            if said:
                print(f"  journal {name}: {said}")


if __name__ == "__main__":
    main()
