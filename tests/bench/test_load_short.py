"""bench/load_test.py, bounded: 10 clients for 8 s against the production server (gunicorn, 2 workers × 8 threads)
on each backend. Zero errors and every acknowledged write stored exactly once are asserted; the figures are printed
(the whole report with `pytest -s`), never asserted: other work shares the machine."""
from __future__ import annotations

from bench.load_test import load_test


def test_ten_clients_for_eight_seconds_without_an_error_and_every_write_once(empty_url, capsys):
    status = load_test(url=empty_url, clients=10, duration=8, seed_day="none")
    output = capsys.readouterr().out
    print(output)
    with capsys.disabled():
        summary = [line for line in output.splitlines() if " clients, " in line or line.startswith("| **all**")]
        print("\n  " + "\n  ".join(summary))
    assert "every acknowledged write stored exactly once, store whole: yes" in output
    assert status == 0, output
