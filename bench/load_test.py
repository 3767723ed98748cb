"""Load test: N concurrent clients for D seconds against the production server, then every write checked.

    .venv/bin/python bench/load_test.py                       # SQLite, 50 clients, 60 s
    .venv/bin/python bench/load_test.py --backend postgis     # a throwaway PostgreSQL + PostGIS cluster
    .venv/bin/python bench/load_test.py --backend postgis --database-url postgresql+psycopg://…   # a schema of its own there
    .venv/bin/python bench/load_test.py --clients 10 --duration 8 --strict

Starts gunicorn as `make serve` does (gunicorn.conf.py; WEB_CONCURRENCY=2, THREADS=8 unless told) on
127.0.0.1 and a free port, with a new database migrated and seeded with the demo data (`flask seed --today`)
and an API token (`flask users token`) for a planner. Each client is a thread with its own keep-alive
connection (requests), sending the next request as soon as it has the answer (or after --think seconds,
exponentially distributed), the kind of request drawn by weight:

    page        /, /issues, /projects (HTML, compressed as a browser accepts)
    issue_list  /api/v1/issues with a random bbox, sometimes category, status and sort filters
    issue       /api/v1/issues/{id} of a known issue
    nearby      /api/v1/issues/nearby around a random building
    layer       /api/v1/layers/{name}; half of them revalidated with If-None-Match (a 304), like a browser
    categories  /api/v1/categories
    density     /api/v1/issues/density
    hotspots    /api/v1/hotspots (Gi*, rarely)
    create      POST /api/v1/issues with a new client UUID; then a third of the time the same again (retry: 200)
    update      PATCH /api/v1/issues/{id} with a comment, a priority and an update_id; a third retried
    photo       POST /api/v1/issues/{id}/photos, a 640×480 JPEG with a client id; a third retried

It prints throughput, p50/p95/p99 overall and per kind, and errors: any answer but the expected one
(a 2xx; 304 for a revalidation), and any connection error or timeout. Then it stops the server and checks
the database: every write acknowledged with a 2xx is stored exactly once (its client UUID; retries
included), every issue has its one `created` event, every photo its event and files, no duplicates.
Exit status 1 on any error or failed check; with --strict also when p95 is not under 300 ms.
The server and the temporary database (and cluster) are removed at the end, on Ctrl-C and on failure too.
"""
from __future__ import annotations

import argparse
import io
import math
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serving import (  # noqa: E402
    Ledger, Server, check_ledger, check_store, database, database_cpu_seconds, prepare, scratch, terminate_on_sigterm,
)

TARGET_P95_MS = 300.0
DEFAULT_SEED_DAY = "2026-06-30"
LAYERS = ("boundary", "compounds", "buildings", "roads", "lanes", "streetlights", "facilities")
CATEGORIES = ("sanitation", "garbage-sorting", "parking", "clutter", "lighting", "property", "old-housing", "greenery",
              "safety", "welfare", "other")
STATUSES = ("reported", "acknowledged", "in_progress", "resolved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
WEIGHTS = {
    "page": 9, "issue_list": 20, "issue": 14, "nearby": 5, "layer": 12, "categories": 5, "density": 5,
    "hotspots": 1, "create": 17, "update": 8, "photo": 4,
}
RETRY_SHARE = 1 / 3
TIMEOUT_S = 30
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"


@dataclass
class Sample:
    kind: str
    ms: float
    ok: bool


@dataclass
class Site:
    """What the clients need to know of the server: where buildings are, which issues exist."""

    points: list[tuple[float, float]]
    bounds: tuple[float, float, float, float]
    issue_ids: list[str]
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_issue(self, issue_id: str) -> None:
        with self.lock:
            self.issue_ids.append(issue_id)

    def some_issue(self, rng: random.Random) -> str | None:
        with self.lock:
            return rng.choice(self.issue_ids) if self.issue_ids else None


def discover(base: str) -> Site:
    """Building centres (for new reports, inside the neighbourhood), the boundary's box, the stored issues."""
    session = requests.Session()
    buildings = session.get(f"{base}/api/v1/layers/buildings", timeout=TIMEOUT_S).json()
    points = []
    for feature in buildings["features"]:
        geometry = feature["geometry"]
        ring = geometry["coordinates"][0] if geometry["type"] == "Polygon" else geometry["coordinates"][0][0]
        points.append((sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring)))
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    issues = session.get(f"{base}/api/v1/issues?limit=10000", timeout=TIMEOUT_S).json()
    return Site(points, (min(xs), min(ys), max(xs), max(ys)), [f["id"] for f in issues["features"]])


def small_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (90, 110, 130))
    ImageDraw.Draw(image).rectangle((100, 100, 400, 300), fill=(200, 60, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


class Client(threading.Thread):
    """One simulated user: a keep-alive connection and a loop of weighted requests until the deadline."""

    def __init__(self, number: int, base: str, token: str, site: Site, ledger: Ledger, deadline: float,
                 think_s: float, seed: int, photo: bytes):
        super().__init__(name=f"client-{number}", daemon=True)
        self.base, self.site, self.ledger, self.deadline, self.think_s = base, site, ledger, deadline, think_s
        self.photo = photo
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0))
        self.session.headers["Accept-Encoding"] = BROWSER_ENCODINGS
        self.auth = {"Authorization": f"Bearer {token}"}
        self.samples: list[Sample] = []
        self.errors: list[str] = []
        self.statuses: Counter = Counter()
        self.etags: dict[str, str] = {}
        self.mine: list[str] = []  # issues this client reported
        self.stop = threading.Event()
        self.kinds, self.weights = zip(*WEIGHTS.items())

    def run(self) -> None:
        while time.perf_counter() < self.deadline and not self.stop.is_set():
            kind = self.rng.choices(self.kinds, self.weights)[0]
            try:
                getattr(self, f"do_{kind}")()
            except Exception as problem:  # noqa: BLE001 - a bug in the client is an error to report, not a hang
                self.errors.append(f"{kind}: client failure {type(problem).__name__}: {problem}")
            if self.think_s:
                pause = self.rng.expovariate(1 / self.think_s)
                self.stop.wait(min(pause, max(0.0, self.deadline - time.perf_counter())))

    # --- one request, timed ---

    def call(self, kind: str, method: str, path: str, expect: tuple[int, ...] = (200,), **kwargs) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, timeout=TIMEOUT_S, **kwargs)
        except requests.RequestException as problem:
            ms = (time.perf_counter() - started) * 1000
            self.samples.append(Sample(kind, ms, False))
            self.statuses["no answer"] += 1
            self.errors.append(f"{kind} {method} {path}: {type(problem).__name__}: {problem}")
            return None
        ms = (time.perf_counter() - started) * 1000
        ok = response.status_code in expect
        self.samples.append(Sample(kind, ms, ok))
        self.statuses[response.status_code] += 1
        if not ok:
            self.errors.append(f"{kind} {method} {path}: {response.status_code} {response.text[:300]!r}")
        return response

    # --- reads ---

    def do_page(self) -> None:
        self.call("page", "GET", self.rng.choice(("/", "/issues", "/projects")))

    def random_bbox(self) -> str:
        minx, miny, maxx, maxy = self.site.bounds
        width, height = (maxx - minx) * self.rng.uniform(0.2, 1.0), (maxy - miny) * self.rng.uniform(0.2, 1.0)
        x, y = self.rng.uniform(minx, maxx - width), self.rng.uniform(miny, maxy - height)
        return f"{x:.6f},{y:.6f},{x + width:.6f},{y + height:.6f}"

    def do_issue_list(self) -> None:
        params = {"bbox": self.random_bbox(), "limit": self.rng.choice((50, 100, 500))}
        if self.rng.random() < 0.4:
            params["category"] = ",".join(self.rng.sample(CATEGORIES, self.rng.randint(1, 3)))
        if self.rng.random() < 0.4:
            params["status"] = ",".join(self.rng.sample(STATUSES, self.rng.randint(1, 3)))
        if self.rng.random() < 0.3:
            params["sort"] = self.rng.choice(("-reported_at", "reported_at", "status", "-updated_at"))
        self.call("issue_list", "GET", "/api/v1/issues", params=params)

    def do_issue(self) -> None:
        issue = self.site.some_issue(self.rng)
        if issue is None:  # none stored yet
            return self.do_issue_list()
        self.call("issue", "GET", f"/api/v1/issues/{issue}")

    def do_nearby(self) -> None:
        lon, lat = self.rng.choice(self.site.points)
        self.call("nearby", "GET", "/api/v1/issues/nearby", params={"lon": lon, "lat": lat, "radius": 50})

    def do_layer(self) -> None:
        path = f"/api/v1/layers/{self.rng.choice(LAYERS)}"
        if path in self.etags and self.rng.random() < 0.5:
            self.call("layer", "GET", path, expect=(304,), headers={"If-None-Match": self.etags[path]})
            return
        response = self.call("layer", "GET", path)
        if response is not None and response.headers.get("ETag"):
            self.etags[path] = response.headers["ETag"]

    def do_categories(self) -> None:
        self.call("categories", "GET", "/api/v1/categories")

    def do_density(self) -> None:
        self.call("density", "GET", "/api/v1/issues/density")

    def do_hotspots(self) -> None:
        self.call("hotspots", "GET", "/api/v1/hotspots")

    # --- writes, each recorded in the ledger by its client UUID ---

    def do_create(self) -> None:
        lon, lat = self.rng.choice(self.site.points)
        body = {
            "id": str(uuid.uuid4()), "category": self.rng.choice(CATEGORIES), "title": f"压力测试 {self.name}",
            "description": "load test report", "lon": lon, "lat": lat, "source": "patrol",
            "location_source": "gps", "location_accuracy_m": round(self.rng.uniform(3, 40), 1),
        }
        attempts = 2 if self.rng.random() < RETRY_SHARE else 1
        for attempt in range(attempts):
            kind = "create" if attempt == 0 else "create_retry"
            expect = (201,) if attempt == 0 else (200,)
            response = self.call(kind, "POST", "/api/v1/issues", expect=expect, json=body, headers=self.auth)
            self.ledger.record("issue", body["id"], None if response is None else response.status_code)
            if response is not None and response.status_code in (200, 201):
                if response.json()["id"] != body["id"]:
                    self.errors.append(f"{kind}: answered with issue {response.json()['id']}, sent {body['id']}")
                if attempt == 0:
                    self.mine.append(body["id"])
                    self.site.add_issue(body["id"])

    def do_update(self) -> None:
        if not self.mine:
            return self.do_create()
        issue = self.rng.choice(self.mine)
        body = {"priority": self.rng.choice(PRIORITIES), "comment": f"压力测试备注 {self.rng.randrange(10**6)}",
                "update_id": str(uuid.uuid4())}
        attempts = 2 if self.rng.random() < RETRY_SHARE else 1
        for attempt in range(attempts):
            kind = "update" if attempt == 0 else "update_retry"
            response = self.call(kind, "PATCH", f"/api/v1/issues/{issue}", json=body, headers=self.auth)
            self.ledger.record("update", body["update_id"], None if response is None else response.status_code, issue)

    def do_photo(self) -> None:
        if not self.mine:
            return self.do_create()
        issue = self.rng.choice(self.mine)
        photo_id = str(uuid.uuid4())
        attempts = 2 if self.rng.random() < RETRY_SHARE else 1
        for attempt in range(attempts):
            kind = "photo" if attempt == 0 else "photo_retry"
            expect = (201,) if attempt == 0 else (200,)
            files = {"photo": ("IMG_0001.jpg", self.photo, "image/jpeg")}
            response = self.call(kind, "POST", f"/api/v1/issues/{issue}/photos", expect=expect, files=files,
                                 data={"id": photo_id}, headers=self.auth)
            self.ledger.record("photo", photo_id, None if response is None else response.status_code, issue)
            if response is not None and response.status_code == 422 and "most it can have" in response.text:
                self.mine.remove(issue)  # 20 photos: a real limit, not an error of the server


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(0, math.ceil(q / 100 * len(ordered)) - 1)  # nearest rank
    return ordered[rank]


class LoadWatch(threading.Thread):
    """The machine's 1-minute load average every few seconds while the test runs (others share this machine)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.readings: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(5):
            self.readings.append(os.getloadavg()[0])


@dataclass
class Result:
    samples: list[Sample]
    errors: list[str]
    statuses: Counter
    seconds: float
    load_before: tuple[float, float, float]
    load_during: list[float]
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    database_cpu_s: float | None = None

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.seconds


def run_clients(server: Server, token: str, clients: int, duration: float, think_s: float, seed: int) -> tuple[Result, Ledger]:
    base = server.url
    site = discover(base)
    ledger = Ledger()
    photo = small_jpeg()
    watch = LoadWatch()
    load_before = os.getloadavg()
    server_cpu, client_cpu = server.cpu_seconds(), _own_cpu()
    database_cpu = database_cpu_seconds(server.database_url)
    started = time.perf_counter()
    deadline = started + duration
    threads = [Client(n, base, token, site, ledger, deadline, think_s, seed * 1000 + n, photo) for n in range(clients)]
    watch.start()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)
    except KeyboardInterrupt:
        for thread in threads:
            thread.stop.set()
        raise
    finally:
        watch.stop.set()
    seconds = time.perf_counter() - started
    server_cpu, client_cpu = server.cpu_seconds() - server_cpu, _own_cpu() - client_cpu
    if database_cpu is not None:
        database_cpu = database_cpu_seconds(server.database_url) - database_cpu
    samples = [s for t in threads for s in t.samples]
    errors = [e for t in threads for e in t.errors]
    statuses = sum((t.statuses for t in threads), Counter())
    return Result(samples, errors, statuses, seconds, load_before, watch.readings, server_cpu, client_cpu, database_cpu), ledger


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def report(result: Result, clients: int, backend: str) -> bool:
    """Print the figures; whether p95 met the target."""
    by_kind: dict[str, list[float]] = defaultdict(list)
    failed: Counter = Counter()
    for sample in result.samples:
        by_kind[sample.kind].append(sample.ms)
        failed[sample.kind] += not sample.ok
    every = [s.ms for s in result.samples]
    print(f"\n{backend}: {clients} clients, {result.seconds:.1f} s, {len(every)} requests, "
          f"{result.throughput:.1f} req/s, {len(result.errors)} errors")
    print(f"load average before {result.load_before[0]:.2f} {result.load_before[1]:.2f} {result.load_before[2]:.2f}; "
          f"during (1-min, every 5 s) {' '.join(f'{x:.1f}' for x in result.load_during) or '-'}; "
          f"{os.cpu_count()} CPUs")
    cores = os.cpu_count() or 1
    print(f"CPU: the server used {result.server_cpu_s:.1f} s ({result.server_cpu_s / result.seconds / cores:.0%} of the "
          f"machine, {result.server_cpu_s * 1000 / max(1, len(result.samples)):.1f} ms a request), "
          + ("" if result.database_cpu_s is None else
             f"PostgreSQL {result.database_cpu_s:.1f} s ({result.database_cpu_s / result.seconds / cores:.0%}), ")
          + f"the clients {result.client_cpu_s:.1f} s ({result.client_cpu_s / result.seconds / cores:.0%}); "
          "the rest went to other work on the machine")
    print("\n| kind | requests | errors | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind in sorted(by_kind, key=lambda k: -len(by_kind[k])):
        values = by_kind[kind]
        print(f"| {kind} | {len(values)} | {failed[kind]} | {percentile(values, 50):.0f} | {percentile(values, 95):.0f} "
              f"| {percentile(values, 99):.0f} | {max(values):.0f} |")
    p95 = percentile(every, 95)
    print(f"| **all** | {len(every)} | {sum(failed.values())} | {percentile(every, 50):.0f} | {p95:.0f} "
          f"| {percentile(every, 99):.0f} | {max(every, default=math.nan):.0f} |")
    print(f"\nanswers: {', '.join(f'{k}: {v}' for k, v in sorted(result.statuses.items(), key=str))}")
    met = p95 < TARGET_P95_MS
    print(f"p95 {p95:.0f} ms: {'under' if met else 'NOT under'} the {TARGET_P95_MS:.0f} ms target (2-core machine)")
    for error in result.errors[:10]:
        print(f"  error: {error}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgis"), default="sqlite")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"),
                        help="PostGIS: an existing database to make a schema in (default: a throwaway cluster)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between a client's requests")
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY")
    parser.add_argument("--threads", type=int, default=8, help="THREADS")
    parser.add_argument("--seed-day", default=DEFAULT_SEED_DAY, help="flask seed --today (the demo data); 'none' for none")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the clients")
    parser.add_argument("--strict", action="store_true", help="fail when p95 is not under 300 ms too")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, photos, logs)")
    args = parser.parse_args(argv)
    terminate_on_sigterm()
    return load_test(**{k: v for k, v in vars(args).items()})


def load_test(backend: str = "sqlite", database_url: str | None = None, clients: int = 50, duration: float = 60.0,
              think: float = 0.0, workers: int = 2, threads: int = 8, seed_day: str | None = DEFAULT_SEED_DAY,
              seed: int = 1, strict: bool = False, keep: bool = False, url: str | None = None) -> int:
    """The whole test; its exit status. `url`: an empty database to use instead of making one (the tests' fixture)."""
    if url is not None:
        backend = "sqlite" if url.startswith("sqlite") else "postgis"
    with scratch(keep) as work:
        with database(backend, work, database_url) if url is None else nullcontext(url) as db_url:
            photo_dir = work / "photos"
            token = prepare(db_url, photo_dir, None if seed_day in (None, "none") else seed_day)
            server = Server(db_url, photo_dir, work, workers=workers, threads=threads)
            try:
                took = server.start()
                print(f"server up in {took:.1f} s at {server.url} ({workers} workers × {threads} threads, {backend})")
                result, ledger = run_clients(server, token, clients, duration, think, seed)
            finally:
                server.stop()
            met = report(result, clients, backend)
            server_errors = server.server_errors()
            for line in server_errors[:10]:
                print(f"  server: {line[:400]}")
            writes, store = check_ledger(db_url, ledger), check_store(db_url, photo_dir)
            print(f"\nwrites: {writes.facts}")
            print(f"store: {store.facts}")
            for problem in writes.problems[:20] + store.problems[:20]:
                print(f"  PROBLEM: {problem}")
            verified = writes.ok and store.ok
            print(f"every acknowledged write stored exactly once, store whole: {'yes' if verified else 'NO'}")
    failed = bool(result.errors) or bool(server_errors) or not verified or (strict and not met)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; the server and temporary files are gone", file=sys.stderr)
        sys.exit(130)
