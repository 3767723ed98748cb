"""What one request of each kind costs the production server in CPU time, measured from outside.

    .venv/bin/python bench/request_cost.py [--backend sqlite|postgis] [--seconds 4] [--threads 8]

Starts gunicorn as bench/load_test.py does (demo data seeded, 2 workers × 8 threads), then for each kind of
request of the load test sends it from --threads client threads, back to back, for --seconds, and prints
the requests answered per second and the server's CPU time (user + system of gunicorn's processes, from
/proc) per request. CPU time per request hardly depends on what else runs on the machine, unlike
latency, so it says where the server's time goes even on a shared machine.
"""
from __future__ import annotations

import argparse
import random
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_test import BROWSER_ENCODINGS, DEFAULT_SEED_DAY, discover, small_jpeg  # noqa: E402
from bench.serving import Server, database, prepare, scratch, terminate_on_sigterm  # noqa: E402


def kinds(site, token: str, photo: bytes, created: list[str]) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    browser = {"Accept-Encoding": BROWSER_ENCODINGS}
    minx, miny, maxx, maxy = site.bounds
    whole = f"{minx},{miny},{maxx},{maxy}"

    def create():
        issue = str(uuid.uuid4())
        created.append(issue)
        lon, lat = random.choice(site.points)
        return "POST", "/api/v1/issues", {"json": {"id": issue, "category": "sanitation", "title": "成本",
                                                    "lon": lon, "lat": lat}, "headers": auth}

    return {
        "categories": lambda: ("GET", "/api/v1/categories", {"headers": browser}),
        "layer (buildings)": lambda: ("GET", "/api/v1/layers/buildings", {"headers": browser}),
        "issue": lambda: ("GET", f"/api/v1/issues/{random.choice(site.issue_ids)}", {"headers": browser}),
        "nearby": lambda: ("GET", "/api/v1/issues/nearby", {"params": {"lon": random.choice(site.points)[0],
                                                                       "lat": random.choice(site.points)[1]},
                                                            "headers": browser}),
        "density": lambda: ("GET", "/api/v1/issues/density", {"headers": browser}),
        "issue_list 100": lambda: ("GET", "/api/v1/issues", {"params": {"bbox": whole, "limit": 100}, "headers": browser}),
        "issue_list 500": lambda: ("GET", "/api/v1/issues", {"params": {"bbox": whole, "limit": 500}, "headers": browser}),
        "page /issues": lambda: ("GET", "/issues", {"headers": browser}),
        "page /projects": lambda: ("GET", "/projects", {"headers": browser}),
        "page /": lambda: ("GET", "/", {"headers": browser}),
        "hotspots": lambda: ("GET", "/api/v1/hotspots", {"headers": browser}),
        "create": create,
        "update": lambda: ("PATCH", f"/api/v1/issues/{random.choice(created)}", {"json": {
            "comment": "成本", "priority": random.choice(("low", "high")), "update_id": str(uuid.uuid4())}, "headers": auth}),
        "photo": lambda: ("POST", f"/api/v1/issues/{random.choice(created)}/photos", {
            "files": {"photo": ("IMG_0001.jpg", photo, "image/jpeg")}, "data": {"id": str(uuid.uuid4())}, "headers": auth}),
    }


def hammer(base: str, make, threads: int, seconds: float) -> tuple[int, list[str]]:
    answered, errors = [0], []
    deadline = time.perf_counter() + seconds

    def run():
        session = requests.Session()
        while time.perf_counter() < deadline:
            method, path, kwargs = make()
            response = session.request(method, base + path, timeout=60, **kwargs)
            if response.status_code >= 300:
                errors.append(f"{method} {path}: {response.status_code}")
            answered[0] += 1

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answered[0], errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgis"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    terminate_on_sigterm()
    failed = False
    with scratch() as work, database(args.backend, work) as url:
        token = prepare(url, work / "photos", DEFAULT_SEED_DAY)
        with Server(url, work / "photos", work) as server:
            site = discover(server.url)
            print(f"{args.backend}, {len(site.issue_ids)} issues, {args.threads} client threads × {args.seconds:g} s per kind\n")
            print("| kind | req/s | server CPU ms per request |")
            print("|---|---:|---:|")
            for name, make in kinds(site, token, small_jpeg(), []).items():
                before = server.cpu_seconds()
                answered, errors = hammer(server.url, make, args.threads, args.seconds)
                cpu = server.cpu_seconds() - before
                print(f"| {name} | {answered / args.seconds:.0f} | {cpu * 1000 / max(answered, 1):.1f} |")
                for error in errors[:3]:
                    print(f"  error: {error}")
                failed |= bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; the server and temporary files are gone", file=sys.stderr)
        sys.exit(130)
