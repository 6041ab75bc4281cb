"""The fault script (benchmarks/faults.py --quick) against the production configuration, in CI:
Redis killed, PostgreSQL stopped, the private media disk full, the case system down, the
case-feed worker and an app process killed, malformed input; under load throughout. Nothing
acknowledged may be lost or doubled, no file half-written, no 500 answered, every fault
recovered from, and the case system gets exactly one case per report."""

import subprocess
import sys

from deploy.stack import ROOT
from tests.deploy.conftest import require_services


def test_the_fault_script_finds_nothing_lost_doubled_half_written_or_unrecovered():
    require_services()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.faults", "--quick"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        process.terminate()  # the script stops its processes on SIGTERM
        stdout, stderr = process.communicate(timeout=120)
    report = stdout + stderr[-3000:]
    assert process.returncode == 0, report
    assert "lost 0, doubled tokens 0, half-written files 0" in stdout, report
    for fault in ("redis", "database", "disk", "receiver", "casefeed-kill", "app-kill"):
        assert f"\n{fault} " in stdout, f"{fault} did not run:\n{report}"
    assert "NEVER" not in stdout, report
