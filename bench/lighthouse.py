"""Mobile Lighthouse on /, /issues and /field/ of a fresh instance with the demo data.

    bench/lighthouse.sh                 # npm ci in bench/lighthouse, then this
    python bench/lighthouse.py [--runs N] [--keep]

The server is the production one (`make serve`'s gunicorn, bench/serving.py) on loopback, with a new SQLite
database seeded as `make run` seeds it, plus a field worker (`bench.field`) whose session cookie Lighthouse sends
(`--extra-headers`), because /field/ needs the report permission. Lighthouse 12 (pinned in
bench/lighthouse/package.json) runs Debian's Chromium (CHROME_PATH, default /usr/bin/chromium) with its default
mobile preset (a Moto G Power-sized screen, 4x CPU slowdown, simulated slow 4G). Each page is run N times
(default 3) and the median run by performance score is printed: score, LCP, FCP, TBT, CLS, bytes transferred
and unused JavaScript. The reports (JSON) go to test-artifacts/lighthouse/.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.serving import Server, _invoke, database, scratch, terminate_on_sigterm  # noqa: E402

PAGES = ("/", "/issues", "/field/")
LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / "test-artifacts" / "lighthouse"
FIELD_USER = "bench.field"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"


def prepare(url: str, photo_dir: Path, password: str) -> None:
    """Migrate, seed the demo data as `make run` does, and add the field worker."""
    from app import create_app

    app = create_app({"DATABASE_URL": url, "PHOTO_DIR": str(photo_dir), "SECRET_KEY": "bench"})  # migrates
    runner = app.test_cli_runner()
    try:
        _invoke(runner, ["seed", "--if-empty"])
        _invoke(runner, ["users", "create", FIELD_USER, "--role", "field_staff"], input=password + "\n")
    finally:
        app.extensions["store"].engine.dispose()


def session_cookie(base: str, password: str) -> str:
    """Signs in through /login as a person would; the Cookie header of the signed-in session."""
    with requests.Session() as http:
        form = http.get(base + "/login").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', form)
        answer = http.post(base + "/login", data={"csrf_token": token.group(1), "username": FIELD_USER,
                                                  "password": password}, allow_redirects=False)
        if answer.status_code not in (302, 303):
            raise RuntimeError(f"sign-in refused: {answer.status_code}")
        return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def run_lighthouse(url: str, cookie: str, report: Path) -> dict:
    command = [
        str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
        "--only-categories=performance", "--form-factor=mobile",
        f"--chrome-flags={CHROME_FLAGS}", "--extra-headers", json.dumps({"Cookie": cookie}),
    ]
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return json.loads(report.read_text(encoding="utf-8"))


def figures(result: dict) -> dict:
    audits = result["audits"]
    unused = audits.get("unused-javascript", {}).get("details", {}).get("overallSavingsBytes", 0)
    return {
        "score": round(100 * (result["categories"]["performance"]["score"] or 0)),
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "fcp_s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "kib": audits["total-byte-weight"]["numericValue"] / 1024,
        "unused_js_kib": unused / 1024,
        "requests": len(audits["network-requests"]["details"]["items"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page; the median is printed")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (database, server log)")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print("Lighthouse is missing: run `npm ci` in bench/lighthouse (bench/lighthouse.sh does)", file=sys.stderr)
        return 2
    terminate_on_sigterm()
    REPORTS.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(16)
    with scratch(args.keep) as work, database("sqlite", work) as url:
        prepare(url, work / "photos", password)
        with Server(url, work / "photos", work) as server:
            cookie = session_cookie(server.url, password)
            print(f"{'page':10} {'score':>5} {'LCP s':>6} {'FCP s':>6} {'TBT ms':>7} {'CLS':>5} "
                  f"{'KiB':>6} {'unused JS KiB':>13} {'requests':>8}")
            for page in PAGES:
                runs = []
                for n in range(args.runs):
                    name = (page.strip("/") or "index").replace("/", "-")
                    runs.append(figures(run_lighthouse(server.url + page, cookie, REPORTS / f"{name}-{n + 1}.json")))
                scores = [r["score"] for r in runs]
                median = runs[scores.index(sorted(scores)[len(scores) // 2])]
                print(f"{page:10} {median['score']:>5} {median['lcp_s']:>6.2f} {median['fcp_s']:>6.2f} "
                      f"{median['tbt_ms']:>7.0f} {median['cls']:>5.3f} {median['kib']:>6.0f} "
                      f"{median['unused_js_kib']:>13.1f} {median['requests']:>8}"
                      f"   (scores {', '.join(map(str, scores))}; LCP median {statistics.median(r['lcp_s'] for r in runs):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
