"""Information points (issue 15): emergency latency hub → screen over the sync benchmark's shaped link, node →
screen alone, a player soak with an accelerated clock, and a node serving 20 screens and 2 kiosks at once.

What runs, all as separate processes on loopback: a hub (`ttdn serve`, SQLite, a small corpus built by
tests/sync/hubtool.py), the sync benchmark's ShapingProxy in front of it (512 kbit/s, 300 ms RTT, no drops), one
node enrolled through the proxy (`ttdn serve` + `ttdn points-watch --every 1`), headless chromium on the node's
player. A helper process on each side stays up and makes the changes through the services when told (so process
starts are not measured); the time is taken from its commit to the moment the screen shows (or hides) it.

1. emergency_latency: `--runs` times, the hub helper publishes an item and makes it an emergency; the screen
   must show it full screen; then it is cancelled and must leave. p50/p95/max of publication → shown.
2. node_to_screen: the node helper sets an emergency on an item the node holds (the officer's own), `--runs` times.
3. player soak: the player page with every slide timer divided by 1000 (an init script wraps setTimeout for
   delays ≥ 2 s; polls and heartbeats keep their real pace) runs `--rotations` slides; heap after a forced GC
   (CDP) at 5 % and at the end; every slide must follow the playlist's order (no missed slot).
4. node load: 20 simulated screens (alert poll every second, playlist on change, heartbeat, their images) and 2
   kiosks (page, scripts, catalogue, item files) against the node for `--load-seconds`; p95 of every request.

Prints the figures against the issue's targets (ISSUE), then one JSON line named as in the issue.
`python bench/points.py [--runs 20] [--rotations 10000] [--load-seconds 60] [--parts emergency,soak,load]`; the
full soak (10,000 rotations) alone: `python bench/points.py --parts soak --rotations 10000`.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The issue's figures (issue 15, "Figures"): (figure, target, comparison).
ISSUE: dict[str, tuple[float, str]] = {
    "emergency_latency_p95_s": (10.0, "<="),  # hub publication -> shown, shaped link, 20 runs
    "node_to_screen_max_s": (2.0, "<="),  # node -> screen alone
    "soak_heap_growth": (0.10, "<="),  # 10,000 rotations, accelerated clock, headless chromium
    "soak_missed_slots": (0, "<="),  # no missed slot
    "load_p95_ms": (200.0, "<="),  # 20 screens and 2 kiosks at once
}
PARTS = ("emergency", "soak", "load")


def verdicts(figures: dict[str, Any]) -> list[str]:
    out = []
    for name, (target, _op) in ISSUE.items():
        if name in figures:
            ok = figures[name] <= target
            out.append(f"{name}: {figures[name]} (issue: <= {target}) {'OK' if ok else 'NOT MET'}")
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): the server's own cost, apart from the load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _helper() -> None:
    """`python bench/points.py helper`: in a hub's or node's environment, make changes when told on stdin."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
    import django

    django.setup()
    import uuid

    from tests.conftest import advance, make_item
    from tests.sync.hubtool import _world_obj

    from ttdn.accounts.models import User
    from ttdn.content.models import Item, State
    from ttdn.points import services

    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "emergency":  # hub
            world = _world_obj()
            item = advance(world, make_item(world, title=arg, summary="Sơ tán ngay."), State.PUBLISHED)
            services.do_set_hub_bulletin(world.publisher, services.HubBulletinInput(item.uid, "emergency"))
            out: dict[str, Any] = {"uid": str(item.uid), "t": time.time()}
        elif command == "cancel":  # hub
            services.do_cancel_hub_bulletin(_world_obj().publisher, uuid.UUID(arg))
            out = {"t": time.time()}
        elif command in {"node-emergency", "node-cancel"}:  # node: the post's officer
            officer = User.objects.filter(username="officer").first() or User.objects.create_user(
                "officer", password=None, is_staff=True)
            uid = uuid.UUID(arg) if arg else Item.objects.order_by("-published_at").values_list("uid", flat=True)[0]
            if command == "node-emergency":
                services.do_set_bulletin(officer, uid, "emergency")
            else:
                services.do_cancel_bulletin(officer, uid)
            out = {"uid": str(uid), "t": time.time()}
        elif command == "pair":  # node
            officer = User.objects.filter(username="officer").first() or User.objects.create_user(
                "officer", password=None, is_staff=True)
            code, _, kind_name = arg.partition(" ")
            device = services.do_pair(officer, services.PairingInput(code=code, name=kind_name or "bench"))
            services.do_add_rule(officer, device.pk, services.RuleInput([], [], [], []))
            out = {"device": device.pk}
        else:
            out = {"error": command}
        print(json.dumps(out), flush=True)


class Helper:
    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "helper"], env=env, cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, line: str) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return answer

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(30)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def _proxy_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_sync_proxy", ROOT / "bench" / "sync" / "proxy.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_sync_proxy"] = module
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------------------ measurements


def pair_page(page: Any, url: str, node_helper: Helper, name: str) -> None:
    page.goto(url)
    code = page.locator("[data-testid=pairing-code] strong")
    code.wait_for(timeout=30_000)
    node_helper.ask(f"pair {code.inner_text().strip()} {name}")


def emergency_runs(page: Any, helper: Helper, runs: int, hub_side: bool) -> list[float]:
    shown = page.locator("#emergency:not([hidden])")
    out = []
    for n in range(runs):
        if hub_side:
            made = helper.ask(f"emergency Cảnh báo khẩn số {n}")
        else:
            made = helper.ask("node-emergency ")
        page.wait_for_function("(uid) => { const e = document.getElementById('emergency');"
                               " return !e.hidden && e.dataset.uid === uid; }", arg=made["uid"], timeout=120_000)
        out.append(time.time() - made["t"])
        helper.ask(f"cancel {made['uid']}" if hub_side else f"node-cancel {made['uid']}")
        shown.wait_for(state="hidden", timeout=120_000)
        print(f"  run {n + 1}: {out[-1]:.2f} s", flush=True)
    return out


SOAK_INIT = """
(() => {
  const real = window.setTimeout.bind(window);
  window.setTimeout = (fn, ms, ...rest) => real(fn, (ms || 0) >= 2000 ? ms / 1000 : ms, ...rest);
  // What the check needs, in a size that does not grow with the rotations (the heap measured is the page's own):
  // the number of slides, and how many times each item followed another.
  window.__count = 0;
  window.__pairs = {};
  new MutationObserver(() => {
    const s = document.querySelector('#stage article.slide');
    if (!s || s === window.__last) { return; }
    window.__last = s;
    window.__count += 1;
    const uid = s.dataset.uid;
    if (window.__lastUid && window.__lastUid !== uid) {
      const key = window.__lastUid + '>' + uid;
      window.__pairs[key] = (window.__pairs[key] || 0) + 1;
    }
    window.__lastUid = uid;
  }).observe(document, {childList: true, subtree: true});
})();
"""


def soak(browser: Any, url: str, node_helper: Helper, rotations: int) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script(SOAK_INIT)
    page = context.new_page()
    pair_page(page, url, node_helper, "soak")
    cdp = context.new_cdp_session(page)

    def heap() -> float:
        cdp.send("HeapProfiler.collectGarbage")
        return float(cdp.send("Runtime.getHeapUsage")["usedSize"])

    def slides() -> int:
        return int(page.evaluate("() => window.__count"))

    warm = max(50, rotations // 20)
    deadline = time.monotonic() + 300 + rotations * 0.2
    while slides() < warm and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    start_heap, started = heap(), time.monotonic()
    while slides() < rotations and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
    end_heap = heap()
    shown = slides()
    pairs: dict[str, int] = page.evaluate("() => window.__pairs")
    playlist = page.evaluate("() => fetch('/points/player/playlist', {headers: {'X-Points-Token': "
                             "localStorage.getItem('points-token')}}).then(r => r.json())")
    uids = [e["uid"] for e in playlist["items"]]
    # An item in several languages is on screen several slides in a row: one slot of the rotation (no pair).
    missed = 0
    for key, times in pairs.items():
        a, b = key.split(">")
        if a in uids and b in uids and uids.index(b) != (uids.index(a) + 1) % len(uids):
            missed += times
    context.close()
    return {"rotations": shown, "heap_start": start_heap, "heap_end": end_heap,
            "heap_growth": end_heap / start_heap - 1, "missed": missed, "seconds": time.monotonic() - started}


def _kind(path: str) -> str:
    """The request's kind, for the breakdown of the load figure."""
    for prefix, kind in (("/points/player/alert", "alert"), ("/points/player/playlist", "playlist"),
                         ("/points/player/heartbeat", "heartbeat"), ("/points/player/start", "start"),
                         ("/points/kiosk/catalogue", "catalogue"), ("/static/", "static"),
                         ("/points/", "page")):
        if path.startswith(prefix):
            return kind
    return "file"


def load(port: int, node_helper: Helper, seconds: float, screens: int = 20, kiosks: int = 2,
         by_kind: dict[str, list[float]] | None = None, steady: list[float] | None = None) -> list[float]:
    """Each simulated device on its own kept-alive connection, doing what the real one does. All 22 start at the
    same instant (the node's power coming back): `steady` gets the times of the requests made once every device
    has started (pairing, page, scripts, playlist or catalogue), apart from that burst."""
    times: list[float] = []
    kinds = by_kind if by_kind is not None else {}
    stamped: list[tuple[float, float]] = []
    started_devices: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def get(conn: http.client.HTTPConnection, method: str, path: str, token: str = "",
            body: bytes | None = None) -> bytes:
        headers = {"X-Points-Token": token} if token else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        with lock:
            times.append(time.perf_counter() - started)
            kinds.setdefault(_kind(path), []).append(times[-1])
            stamped.append((started, times[-1]))
        return data

    def device(kind: str, n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start = json.loads(get(conn, "POST", "/points/player/start", body=json.dumps({"kind": kind}).encode()))
        node_helper_lock.acquire()
        try:
            node_helper.ask(f"pair {start['code']} {kind}-{n}")
        finally:
            node_helper_lock.release()
        token = start["token"]
        page = "/points/kiosk/" if kind == "kiosk" else "/points/player/"
        get(conn, "GET", page)
        for asset in ("/static/points/player.css", "/static/ttdn/css/fonts.css",
                      "/static/points/kiosk.js" if kind == "kiosk" else "/static/points/player.js"):
            get(conn, "GET", asset)
        if kind == "kiosk":
            catalogue = json.loads(get(conn, "GET", "/points/kiosk/catalogue", token))
            files = [m["url"] for i in catalogue["items"] for v in i["variants"].values() for m in v["media"]]
        else:
            listing = json.loads(get(conn, "GET", "/points/player/playlist", token))
            files = [v["media"]["url"] for e in listing["items"] for v in e["variants"] if v.get("media")]
        with lock:
            started_devices.append(time.perf_counter())
        beat = time.monotonic() + 60
        while time.monotonic() < stop_at:
            if kind == "kiosk":
                for url in files[:3]:  # a visitor opens an item: its files
                    get(conn, "GET", url)
                time.sleep(5)
                continue
            get(conn, "GET", "/points/player/alert", token)
            if time.monotonic() > beat:
                get(conn, "POST", "/points/player/heartbeat", token, json.dumps({"plays": []}).encode())
                beat += 60
            time.sleep(1)
        conn.close()

    node_helper_lock = threading.Lock()
    threads = [threading.Thread(target=device, args=("screen", n)) for n in range(screens)]
    threads += [threading.Thread(target=device, args=("kiosk", n)) for n in range(kiosks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if steady is not None and len(started_devices) == len(threads):
        steady += [took for at, took in stamped if at >= max(started_devices)]
    return times


# ------------------------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rotations", type=int, default=10_000)
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="which measurements, comma-separated: emergency, soak, load (default all)")
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if not parts or parts - set(PARTS):
        parser.error(f"--parts: choose among {', '.join(PARTS)}")
    hub_times: list[float] = []
    node_times: list[float] = []
    soaked: dict[str, Any] = {}
    times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    steady: list[float] = []
    server_cpu = 0.0

    from playwright.sync_api import sync_playwright
    from tests.sync.conftest import base_env, free_port, last_json, run, start_server, stop

    proxy_mod = _proxy_module()
    work = args.work or Path(tempfile.mkdtemp(prefix="points-bench-"))
    shutil.rmtree(work, ignore_errors=True)
    (work / "hub").mkdir(parents=True)
    (work / "node").mkdir()
    hub_env, node_env = base_env(work / "hub", "hub"), base_env(work / "node", "edge")
    procs: list[subprocess.Popen[str]] = []
    helpers: list[Helper] = []
    try:
        run(hub_env, "-m", "tests.refdata", "build", timeout=900)
        run(hub_env, "-m", "tests.sync.hubtool", "setup", "30", "20", timeout=900)
        hub_port = free_port()
        procs.append(start_server(hub_env, hub_port))
        with proxy_mod.ProxyThread(("127.0.0.1", hub_port), proxy_mod.Shape.link(rate_kbit=512, rtt_ms=300)) as px:
            run(node_env, "-m", "ttdn.cli", "migrate", "-v0")
            run(node_env, "-m", "tests.refdata", "restore")
            code = last_json(run(hub_env, "-m", "tests.sync.hubtool", "codes", "pc-ia-chia", "1").stdout)[0]
            run(node_env, "-m", "ttdn.cli", "edge", "enroll", f"http://127.0.0.1:{px.port}", code, timeout=900)
            run(node_env, "-m", "ttdn.cli", "sync", timeout=900)
            node_port = free_port()
            procs.append(start_server(node_env, node_port))
            procs.append(subprocess.Popen([sys.executable, "-m", "ttdn.cli", "points-watch", "--every", "1"],
                                          env=node_env, cwd=ROOT, stdout=subprocess.DEVNULL, text=True))
            hub_helper, node_helper = Helper(hub_env), Helper(node_env)
            helpers += [hub_helper, node_helper]
            player = f"http://127.0.0.1:{node_port}/points/player/"
            if parts & {"emergency", "soak"}:
                with sync_playwright() as p:
                    browser = p.chromium.launch(
                        executable_path=os.environ.get("TTDN_CHROMIUM", "/usr/bin/chromium"),
                        args=["--no-sandbox", "--disable-gpu"])
                    if "emergency" in parts:
                        context = browser.new_context(viewport={"width": 1920, "height": 1080})
                        page = context.new_page()
                        pair_page(page, player, node_helper, "screen")
                        page.locator("#stage article.slide").wait_for(timeout=60_000)
                        print("emergency latency, hub → screen over 512 kbit/s, 300 ms RTT:", flush=True)
                        hub_times = emergency_runs(page, hub_helper, args.runs, hub_side=True)
                        print("node → screen:", flush=True)
                        node_times = emergency_runs(page, node_helper, args.runs, hub_side=False)
                        context.close()
                    if "soak" in parts:
                        print(f"player soak, {args.rotations} rotations:", flush=True)
                        soaked = soak(browser, player, node_helper, args.rotations)
                    browser.close()
        if "load" in parts:
            print(f"node load, 20 screens + 2 kiosks for {args.load_seconds:.0f} s:", flush=True)
            cpu_before = cpu_seconds(procs[1].pid)
            times = load(node_port, node_helper, args.load_seconds, by_kind=by_kind, steady=steady)
            server_cpu = cpu_seconds(procs[1].pid) - cpu_before
    finally:
        for h in helpers:
            h.close()
        for proc in reversed(procs):
            stop(proc)
    figures: dict[str, Any] = {}
    if hub_times:
        figures |= {
            "emergency_latency_p50_s": round(statistics.median(hub_times), 2),
            "emergency_latency_p95_s": round(pct(hub_times, 95), 2),
            "emergency_latency_max_s": round(max(hub_times), 2),
            "node_to_screen_p95_s": round(pct(node_times, 95), 2),
            "node_to_screen_max_s": round(max(node_times), 2),
            "runs": args.runs,
        }
    if soaked:
        figures |= {
            "soak_rotations_asked": args.rotations,
            "soak_rotations": soaked["rotations"],
            "soak_heap_growth": round(soaked["heap_growth"], 4),
            "soak_heap_start_bytes": int(soaked["heap_start"]),
            "soak_heap_end_bytes": int(soaked["heap_end"]),
            "soak_missed_slots": soaked["missed"],
            "soak_seconds": round(soaked["seconds"], 1),
        }
    if times:
        figures |= {
            "load_requests": len(times),
            "load_p95_ms": round(pct(times, 95) * 1000, 1),
            "load_p50_ms": round(statistics.median(times) * 1000, 1),
            # The node server's own CPU per request: its cost apart from what else the machine runs.
            "load_server_cpu_ms_per_request": round(server_cpu / len(times) * 1000, 2),
            # Once every device has started (the start-up burst apart): p95 and how many requests.
            "load_steady_p95_ms": round(pct(steady, 95) * 1000, 1) if steady else None,
            "load_steady_requests": len(steady),
            # Which requests make the tail: p95 (ms) and count of each kind.
            "load_p95_ms_by_kind": {k: [round(pct(v, 95) * 1000, 1), len(v)] for k, v in sorted(by_kind.items())},
        }
    for key, value in figures.items():
        print(f"{key}: {value}")
    for line in verdicts(figures):
        print(line)
    if soaked and soaked["rotations"] < args.rotations:
        print(f"soak: only {soaked['rotations']} of {args.rotations} rotations within the time allowed")
    print(json.dumps({"bench": "points", **figures}))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "helper":
        _helper()
    else:
        main()
