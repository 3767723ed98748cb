"""bench/fault_test.py, bounded: two SIGKILLs of the whole production server in the middle of writes on each
backend; after each, the database passes its integrity checks and holds every acknowledged write exactly once,
and every write left unanswered is whole or absent; sent again, each is stored once."""
from __future__ import annotations

from bench.fault_test import fault_test


def test_sigkill_mid_writes_loses_no_acknowledged_write_and_leaves_nothing_half(empty_url, capsys):
    status = fault_test(url=empty_url, rounds=2, writers=6, kill_after=(1.0, 2.5))
    output = capsys.readouterr().out
    print(output)
    with capsys.disabled():
        summary = [line for line in output.splitlines() if line.startswith(("round", "after a restart"))]
        print("\n  " + "\n  ".join(summary))
    assert "round 2" in output and "the store stayed whole: yes" in output
    assert status == 0, output
