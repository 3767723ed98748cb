"""The read path against its floor: the service's feature pages timed beside the least a server can do.

    .venv/bin/python bench/bench_read_path.py                         # SQLite, 100,000 issues
    .venv/bin/python bench/bench_read_path.py --backend postgis       # a throwaway PostgreSQL + PostGIS cluster
    .venv/bin/python bench/bench_read_path.py --issues 20000 --rounds 5 --burst-seconds 2   # a quick look

Builds --issues issues into a fresh database (bench/bench_issues.py's generator: 70 % uniform over the
neighbourhood, 30 % around three spots), then starts two servers on loopback under the same gunicorn
settings (gunicorn.conf.py, WEB_CONCURRENCY=2 workers × THREADS=8, as `make serve`): the service, and the
floor (bench/read_floor.py: stdlib sqlite3 over the same file with its R*Tree, or psycopg with ST_AsGeoJSON,
plus orjson). Both answer `/ogcapi/collections/issues/items` (oldest first) and `/api/v1/issues` (newest
first) with the same matches, order and numberMatched; the script checks that before timing.

Cases: a dense bbox (the western half of the neighbourhood) with limit=1000 and limit=100, a sparse bbox
(about 30 hits), the first page and a deep page (offset 20,000) of all issues at limit=100. Every
(server, path, case) is requested once per round, in a shuffled order, for --rounds rounds, one request at a
time; then --clients clients send the dense limit=1000 request back to back for --burst-seconds against each
server and path, the bursts in shuffled order. Server CPU per request is read from /proc/<pid>/stat of the
gunicorn master and workers before and after (user + system), as bench/load_test.py does. Requests ask for no
compression (Accept-Encoding: identity): the read path, not gzip, is measured. Prints a Markdown table with
each figure's ratio to the floor, and the machine's load average (other work on it slows both alike).
Only loopback traffic; the servers, the database (and cluster) are removed at the end.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from contextlib import suppress
from pathlib import Path

import requests
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_issues import fill  # noqa: E402
from bench.load_test import percentile  # noqa: E402
from bench.serving import Server, database, database_cpu_seconds, scratch, terminate_on_sigterm  # noqa: E402

PATHS = {"items": "/ogcapi/collections/issues/items", "list": "/api/v1/issues"}
HEADERS = {"Accept": "application/geo+json", "Accept-Encoding": "identity"}
SPARSE_HITS = 30
DEEP_OFFSET = 20_000
TIMEOUT_S = 120


def build(url: str, work: Path, issues: int) -> dict[str, object]:
    """Migrate, fill; the boxes of the cases and what they hold."""
    from app import create_app

    app = create_app({"DATABASE_URL": url, "PHOTO_DIR": str(work / "photos"), "SECRET_KEY": "bench"})
    started = time.perf_counter()
    fill(app, issues)
    took = time.perf_counter() - started
    minx, miny, maxx, maxy = app.extensions["base_layers"].layers["boundary"].total_bounds
    engine = app.extensions["store"].engine
    dense = (minx, miny, (minx + maxx) / 2, maxy)  # the western half, as bench_issues.py's window
    if engine.dialect.name == "postgresql":  # fresh statistics, as autovacuum would soon have them
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE issues"))
    with engine.connect() as connection:

        def count(box) -> int:
            return connection.execute(
                text("SELECT count(*) FROM issues WHERE lon BETWEEN :a AND :c AND lat BETWEEN :b AND :d"),
                dict(zip("abcd", box))).scalar_one()

        centre = (minx + (maxx - minx) * 0.62, miny + (maxy - miny) * 0.3)
        half = (maxx - minx) * 0.01
        for _ in range(12):  # grow or shrink a square until it holds about SPARSE_HITS
            sparse = (centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half)
            hits = count(sparse)
            if abs(hits - SPARSE_HITS) <= 5:
                break
            half *= (SPARSE_HITS / max(hits, 1)) ** 0.5
        facts = {"dense": dense, "dense_hits": count(dense), "sparse": sparse, "sparse_hits": hits,
                 "fill_s": took, "issues": connection.execute(text("SELECT count(*) FROM issues")).scalar_one()}
    engine.dispose()
    return facts


def cases(facts) -> dict[str, dict[str, object]]:
    def box(b) -> str:
        return ",".join(f"{v:.7f}" for v in b)

    return {
        "dense bbox, limit=1000": {"bbox": box(facts["dense"]), "limit": 1000},
        "dense bbox, limit=100": {"bbox": box(facts["dense"]), "limit": 100},
        f"sparse bbox ({facts['sparse_hits']} hits)": {"bbox": box(facts["sparse"]), "limit": 100},
        "first page, limit=100": {"limit": 100},
        f"deep page, offset={DEEP_OFFSET:,}": {"limit": 100, "offset": DEEP_OFFSET},
    }


class CPU:
    """CPU seconds (user + system) of one server's processes: its master and workers, from /proc/<pid>/stat."""

    def __init__(self, server: Server, timeout: float = 120.0) -> None:
        self.group = server.process.pid
        self.ticks = os.sysconf("SC_CLK_TCK")
        deadline = time.perf_counter() + timeout
        while True:  # /healthz answers once one worker is up; wait for the master and all of them
            self.pids = [int(p.parent.name) for p in Path("/proc").glob("[0-9]*/stat") if self._group(p) == self.group]
            if len(self.pids) > server.workers or time.perf_counter() > deadline:
                break
            time.sleep(0.2)

    @staticmethod
    def _group(stat: Path) -> int | None:
        with suppress(OSError, ValueError, IndexError):
            return int(stat.read_text().rsplit(")", 1)[1].split()[2])
        return None

    def seconds(self) -> float:
        total = 0
        for pid in self.pids:
            with suppress(OSError, ValueError, IndexError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        return total / self.ticks


def check_same(servers, params_by_case) -> list[str]:
    """The service and the floor answer each case with the same numberMatched and the same ids in order."""
    problems = []
    for path_name, path in PATHS.items():
        for name, params in params_by_case.items():
            answers = {}
            for who, (server, _) in servers.items():
                response = requests.get(server.url + path, params=params, headers=HEADERS, timeout=TIMEOUT_S)
                response.raise_for_status()
                body = response.json()
                answers[who] = (body["numberMatched"], [f["id"] for f in body["features"]])
            if answers["service"] != answers["floor"]:
                (m1, ids1), (m2, ids2) = answers["service"], answers["floor"]
                problems.append(f"{path_name} {name}: service {m1} matched, {len(ids1)} returned; floor {m2}, "
                                f"{len(ids2)}; same ids in order: {ids1 == ids2}")
    return problems


def _database_cpu(url: str) -> float:
    return database_cpu_seconds(url) or 0.0  # the throwaway PostgreSQL cluster's processes; 0 on SQLite


def single(servers, params_by_case, rounds: int, seed: int):
    """Every (server, path, case) once a round, in a shuffled order; times, server and database CPU, bytes."""
    rng = random.Random(seed)
    sessions = {who: requests.Session() for who in servers}
    keys = [(who, path_name, name) for who in servers for path_name in PATHS for name in params_by_case]
    times, cpu, db_cpu, size, errors = defaultdict(list), defaultdict(float), defaultdict(float), {}, defaultdict(int)
    for _ in range(rounds):
        rng.shuffle(keys)
        for who, path_name, name in keys:
            server, meter = servers[who]
            before, db_before = meter.seconds(), _database_cpu(server.database_url)
            started = time.perf_counter()
            response = sessions[who].get(server.url + PATHS[path_name], params=params_by_case[name],
                                         headers=HEADERS, timeout=TIMEOUT_S)
            ms = (time.perf_counter() - started) * 1000
            cpu[who, path_name, name] += meter.seconds() - before
            db_cpu[who, path_name, name] += _database_cpu(server.database_url) - db_before
            times[who, path_name, name].append(ms)
            size[who, path_name, name] = len(response.content)
            errors[who, path_name, name] += response.status_code != 200
    return times, cpu, db_cpu, size, errors


def burst(server: Server, meter: CPU, path: str, params, clients: int, seconds: float):
    """`clients` threads, each on its own keep-alive connection, back to back for `seconds`."""
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run() -> None:
        session = requests.Session()
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                response = session.get(server.url + path, params=params, headers=HEADERS, timeout=TIMEOUT_S)
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
            with lock:
                samples.append((time.perf_counter() - started) * 1000)
                errors[0] += not ok

    before, db_before, started = meter.seconds(), _database_cpu(server.database_url), time.perf_counter()
    threads = [threading.Thread(target=run, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed, used = time.perf_counter() - started, meter.seconds() - before
    db_used = _database_cpu(server.database_url) - db_before
    return {"requests": len(samples), "rps": len(samples) / elapsed, "p50": percentile(samples, 50),
            "p95": percentile(samples, 95), "errors": errors[0], "cpu_ms": used * 1000 / max(1, len(samples)),
            "db_cpu_ms": db_used * 1000 / max(1, len(samples))}


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgis"), default="sqlite")
    parser.add_argument("--database-url", default=None,
                        help="PostGIS: an existing database to make a schema in (default: a throwaway cluster)")
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20, help="requests of each case to each server, one at a time")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--burst-seconds", type=float, default=6.0)
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY of both servers")
    parser.add_argument("--threads", type=int, default=8, help="THREADS of both servers")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    terminate_on_sigterm()

    with scratch() as work, database(args.backend, work, args.database_url) as url:
        facts = build(url, work, args.issues)
        print(f"{facts['issues']:,} issues in {facts['fill_s']:.1f} s ({args.backend}); dense bbox "
              f"{facts['dense_hits']:,} hits, sparse bbox {facts['sparse_hits']} hits")
        params_by_case = cases(facts)
        servers = {}
        try:
            for who, app in (("service", "app:create_app()"), ("floor", "bench.read_floor:application")):
                server = Server(url, work / "photos", work, workers=args.workers, threads=args.threads, app=app)
                servers[who] = (server, None)
                server.start()
                servers[who] = (server, CPU(server))
            print(f"servers up ({args.workers} workers × {args.threads} threads each): "
                  f"service {servers['service'][0].url}, "
                  f"floor {servers['floor'][0].url}")
            problems = check_same(servers, params_by_case)
            for problem in problems:
                print(f"  NOT THE SAME: {problem}")
            load_before = os.getloadavg()
            times, cpu, db_cpu, size, errors = single(servers, params_by_case, args.rounds, args.seed)
            bursts = {}
            order = [(who, path_name) for who in servers for path_name in PATHS]
            random.Random(args.seed).shuffle(order)
            for who, path_name in order:
                server, meter = servers[who]
                dense = params_by_case["dense bbox, limit=1000"]
                bursts[who, path_name] = burst(server, meter, PATHS[path_name], dense, args.clients, args.burst_seconds)
            load_after = os.getloadavg()
        finally:
            for server, _ in servers.values():
                server.stop()

    print(f"\nload average (1, 5, 15 min) before {' '.join(f'{x:.2f}' for x in load_before)}, after "
          f"{' '.join(f'{x:.2f}' for x in load_after)}; {os.cpu_count()} CPUs; {args.rounds} rounds, "
          "one request at a time\n")
    postgis = args.backend == "postgis"
    db_head = " | service PostgreSQL CPU ms | floor PostgreSQL CPU ms" if postgis else ""
    print("| path | case | service median ms | floor median ms | ratio | service p95 ms | floor p95 ms "
          f"| service CPU ms | floor CPU ms | ratio{db_head} | service KB | floor KB | errors |")
    print("|---|---|" + "---:|" * (11 + 2 * postgis))
    for path_name in PATHS:
        for name in params_by_case:
            s, f = ("service", path_name, name), ("floor", path_name, name)
            sm, fm = statistics.median(times[s]), statistics.median(times[f])
            sc, fc = cpu[s] * 1000 / len(times[s]), cpu[f] * 1000 / len(times[f])
            db = (f" | {db_cpu[s] * 1000 / len(times[s]):.1f} | {db_cpu[f] * 1000 / len(times[f]):.1f}"
                  if postgis else "")
            print(f"| {path_name} | {name} | {sm:.1f} | {fm:.1f} | {ratio(sm, fm)} | {percentile(times[s], 95):.1f} "
                  f"| {percentile(times[f], 95):.1f} | {sc:.1f} | {fc:.1f} | {ratio(sc, fc)}{db} "
                  f"| {size[s] / 1024:,.0f} "
                  f"| {size[f] / 1024:,.0f} | {errors[s] + errors[f]} |")
    print(f"\n{args.clients} clients back to back, dense bbox limit=1000, {args.burst_seconds:.0f} s each\n")
    print("| path | server | requests | req/s | p50 ms | p95 ms | errors | CPU ms a request"
          f"{' | PostgreSQL CPU ms a request' if postgis else ''} | req/s vs floor |")
    print("|---|---|" + "---:|" * (7 + postgis))

    def db_cells(b) -> str:
        return f" | {b['db_cpu_ms']:.1f}" if postgis else ""

    for path_name in PATHS:
        for who in servers:
            b, floor = bursts[who, path_name], bursts["floor", path_name]
            print(f"| {path_name} | {who} | {b['requests']} | {b['rps']:.1f} | {b['p50']:.0f} | {b['p95']:.0f} "
                  f"| {b['errors']} | {b['cpu_ms']:.1f}{db_cells(b)} | {ratio(b['rps'], floor['rps'])} |")
    return 1 if problems or any(errors.values()) or any(b["errors"] for b in bursts.values()) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; the servers and temporary files are gone", file=sys.stderr)
        sys.exit(130)
