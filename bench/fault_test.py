"""Fault test: SIGKILL the production server in the middle of writes, restart it, and check nothing acknowledged is lost.

    .venv/bin/python bench/fault_test.py                      # SQLite, 5 kills
    .venv/bin/python bench/fault_test.py --backend postgis    # a throwaway PostgreSQL + PostGIS cluster
    .venv/bin/python bench/fault_test.py --rounds 2 --kill-after 1 2

Starts gunicorn as `make serve` does (bench/serving.py) on a new database. Each round, --writers clients
write as fast as they are answered: new issues (POST /api/v1/issues, client UUIDs), updates with an
update_id (PATCH) and photos with a client id (POST …/photos) of issues already acknowledged; every write
is recorded with its answer, or with none when the connection died. After a random --kill-after seconds
the whole server, master and workers, gets SIGKILL at once (its process group; the database server, if
any, is left running). Then, before the restart:

- the database passes its own checks: SQLite `PRAGMA integrity_check`, `foreign_key_check` and the
  R*Tree's `rtreecheck`; PostgreSQL amcheck on every B-tree index (and no invalid index);
- every write that got a 2xx is there exactly once;
- every write whose answer never came is wholly there or not at all: an issue has its one `created`
  event, a photo row its `photo` event and both files complete on disk; nothing is stored twice.

The server is restarted on the same database and photos for the next round. At the end every
unanswered write is sent again with the same UUID, as the tablets' outbox does (201 if it was lost,
200 if it had been stored), and the checks run once more, now expecting every write exactly once.
Photo files of uploads killed before their commit are left behind (counted as orphans; nothing refers
to them). Exit status 1 if any check fails.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import requests
from urllib3.exceptions import NewConnectionError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_test import CATEGORIES, discover, small_jpeg  # noqa: E402
from bench.serving import (  # noqa: E402
    NOT_DELIVERED, Ledger, Server, Verdict, check_ledger, check_store, database, prepare, scratch, terminate_on_sigterm,
)

TIMEOUT_S = 30


@dataclass
class Sent:
    """A write as sent, to send again with the same UUID."""

    kind: str
    method: str
    path: str
    json: dict | None = None
    data: dict | None = None
    photo: bytes | None = None
    expect_again: tuple[int, ...] = (200, 201)


@dataclass
class Writers:
    base: str
    token: str
    ledger: Ledger
    points: list[tuple[float, float]]
    photo: bytes
    seed: int
    sent: dict[str, Sent] = field(default_factory=dict)
    acknowledged_issues: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, count: int, stop: threading.Event, round_number: int) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._write, args=(n, stop, random.Random(self.seed * 7919 + round_number * 101 + n)),
                                    daemon=True) for n in range(count)]
        for thread in threads:
            thread.start()
        return threads

    def _write(self, number: int, stop: threading.Event, rng: random.Random) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token}"
        while not stop.is_set():
            with self.lock:
                issues = list(self.acknowledged_issues)
            roll = rng.random()
            if not issues or roll < 0.55:
                lon, lat = rng.choice(self.points)
                write_id = str(uuid.uuid4())
                sent = Sent("issue", "POST", "/api/v1/issues", json={
                    "id": write_id, "category": rng.choice(CATEGORIES), "title": f"断电测试 {number}",
                    "description": "fault test", "lon": lon, "lat": lat, "source": "patrol"})
            elif roll < 0.8:
                issue = rng.choice(issues)
                write_id = str(uuid.uuid4())
                sent = Sent("update", "PATCH", f"/api/v1/issues/{issue}", json={
                    "comment": f"断电测试备注 {number}", "priority": rng.choice(("low", "normal", "high")),
                    "update_id": write_id})
            else:
                issue = rng.choice(issues)
                write_id = str(uuid.uuid4())
                sent = Sent("photo", "POST", f"/api/v1/issues/{issue}/photos", data={"id": write_id}, photo=self.photo)
            status = self.send(session, sent)
            issue_of = None if sent.kind == "issue" else sent.path.split("/")[4]
            self.ledger.record(sent.kind, write_id, status, issue_of)
            with self.lock:
                self.sent[write_id] = sent
                if sent.kind == "issue" and status == 201:
                    self.acknowledged_issues.append(write_id)
            if status in (None, NOT_DELIVERED):
                time.sleep(0.05)  # the server is gone: do not spin until the round ends

    def send(self, session: requests.Session, sent: Sent) -> int | None:
        """The answer's status; None if no answer came (the server may or may not have stored it);
        NOT_DELIVERED if the connection was refused (nothing reached the server)."""
        files = {"photo": ("IMG_0001.jpg", io.BytesIO(sent.photo), "image/jpeg")} if sent.photo else None
        try:
            return session.request(sent.method, self.base + sent.path, json=sent.json, data=sent.data, files=files,
                                   timeout=TIMEOUT_S).status_code
        except requests.ConnectionError as problem:
            refused = isinstance(getattr(problem.args[0] if problem.args else None, "reason", None), NewConnectionError)
            return NOT_DELIVERED if refused else None
        except requests.RequestException:
            return None


def checked(url: str, photo_dir: Path, ledger: Ledger, label: str) -> Verdict:
    store, writes = check_store(url, photo_dir), check_ledger(url, ledger)
    verdict = Verdict(store.problems + writes.problems, {**store.facts, **writes.facts})
    facts = verdict.facts
    in_flight = {kind: (facts[kind]["unanswered_present"], facts[kind]["unanswered"])
                 for kind in ("issue", "update", "photo") if kind in facts}
    print(f"{label}: {'ok' if verdict.ok else 'FAILED'}; "
          + ", ".join(f"{kind}s acknowledged {facts[kind]['acknowledged']}" for kind in ("issue", "update", "photo"))
          + "; so far unanswered (stored/all) " + ", ".join(f"{k} {p}/{n}" for k, (p, n) in in_flight.items())
          + f"; {facts.get('integrity_check') or facts.get('amcheck')}; orphan photo files {facts['orphan_photo_files']}")
    for problem in verdict.problems[:20]:
        print(f"  PROBLEM: {problem}")
    return verdict


def fault_test(backend: str = "sqlite", database_url: str | None = None, rounds: int = 5, writers: int = 8,
               kill_after: tuple[float, float] = (1.5, 4.0), seed: int = 1, keep: bool = False,
               url: str | None = None) -> int:
    """The whole test; its exit status. `url`: an empty database to use instead of making one (the tests' fixture)."""
    rng = random.Random(seed)
    failures = 0
    with scratch(keep) as work:
        with database(backend, work, database_url) if url is None else nullcontext(url) as db_url:
            photo_dir = work / "photos"
            token = prepare(db_url, photo_dir)
            server = Server(db_url, photo_dir, work)
            ledger = Ledger()
            try:
                server.start()
                site = discover(server.url)
                team = Writers(server.url, token, ledger, site.points, small_jpeg(), seed)
                for round_number in range(1, rounds + 1):
                    if round_number > 1:
                        took = server.start()
                        team.base = server.url
                        print(f"  restarted in {took:.1f} s: /healthz 200")
                    stop = threading.Event()
                    threads = team.run(writers, stop, round_number)
                    delay = rng.uniform(*kill_after)
                    time.sleep(delay)
                    server.kill()
                    stop.set()
                    for thread in threads:
                        thread.join(TIMEOUT_S + 5)
                    failures += not checked(db_url, photo_dir, ledger,
                                            f"round {round_number}, SIGKILL after {delay:.2f} s").ok

                server.start()
                team.base = server.url
                resent: Counter = Counter()
                session = requests.Session()
                session.headers["Authorization"] = f"Bearer {token}"
                for write in list(ledger.writes.values()):
                    if write.acknowledged:
                        continue
                    status = team.send(session, team.sent[write.id])
                    ledger.record(write.kind, write.id, status, write.issue)
                    resent[(write.kind, status)] += 1
                print("after a restart, every write without a 2xx sent again with its UUID: "
                      + (", ".join(f"{kind} → {status}: {n}" for (kind, status), n in sorted(resent.items(), key=str))
                         or "none"))
                failures += any(status not in (200, 201) for _, status in resent)
            finally:
                server.stop()
            final = checked(db_url, photo_dir, ledger, "at the end, everything sent again")
            failures += not final.ok
            unanswered = sum(1 for w in ledger.writes.values() if not w.acknowledged)
            if unanswered:
                print(f"  PROBLEM: {unanswered} writes still without a 2xx")
                failures += 1
            server_errors = [line for line in server.server_errors() if "WORKER TIMEOUT" not in line]
            for line in server_errors[:10]:
                print(f"  server: {line[:400]}")
            failures += bool(server_errors)
    print("every acknowledged write survived every SIGKILL exactly once; the store stayed whole: "
          + ("yes" if not failures else "NO"))
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgis"), default="sqlite")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"),
                        help="PostGIS: an existing database to make a schema in (default: a throwaway cluster)")
    parser.add_argument("--rounds", type=int, default=5, help="kills")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--kill-after", type=float, nargs=2, default=(1.5, 4.0), metavar=("MIN", "MAX"),
                        help="seconds of writing before each SIGKILL, drawn uniformly")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, photos, logs)")
    args = parser.parse_args(argv)
    terminate_on_sigterm()
    return fault_test(args.backend, args.database_url, args.rounds, args.writers, tuple(args.kill_after), args.seed,
                      args.keep)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; the server and temporary files are gone", file=sys.stderr)
        sys.exit(130)
