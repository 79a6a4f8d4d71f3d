"""`python -m benchmarks`: run every benchmark, then print and save the report.

Each benchmark runs in its own process (fresh interpreter, its own devhost) and writes its JSON to
benchmarks/results/; the report (benchmarks/results/report.json and report.png) puts every figure
beside its baseline from the same run and its target.

    python -m benchmarks            # full sizes (several minutes)
    python -m benchmarks --quick    # small sizes, to check that everything runs
    python -m benchmarks --only decision_roundtrip_bench
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import Figure, build

ROOT = Path(__file__).resolve().parents[1]

# module -> (full-size arguments, quick arguments)
BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    "slack_ack_bench": (["--requests", "500", "--concurrency", "50"], ["--requests", "100", "--concurrency", "50"]),
    "teams_ack_bench": (["--requests", "500", "--concurrency", "50"], ["--requests", "100", "--concurrency", "50"]),
    "decision_roundtrip_bench": (["--samples", "200"], ["--samples", "30"]),
    "devhost_bench": (["--instances", "500", "--timers", "1000", "--waiting", "1000"],
                      ["--instances", "50", "--timers", "1000", "--waiting", "200"]),
    "approval_capacity_bench": (["--approvals", "10000"], ["--approvals", "500"]),
    "my_approvals_bench": (["--waiting", "1000", "--samples", "20"], ["--waiting", "100", "--samples", "5"]),
    "policy_bench": (["--approvals", "200", "--rounds", "3"], ["--approvals", "40", "--rounds", "1"]),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), help="run only these (repeatable)")
    args = parser.parse_args(argv)
    failed = []
    for module, (full, quick) in BENCHMARKS.items():
        if args.only and module not in args.only:
            continue
        command = [sys.executable, "-m", f"benchmarks.{module}", *(quick if args.quick else full)]
        print(f"\n=== {' '.join(command[1:])}", flush=True)
        began = time.perf_counter()
        if subprocess.run(command, cwd=ROOT).returncode != 0:
            failed.append(module)
        print(f"=== {module}: {time.perf_counter() - began:.0f} s", flush=True)
    report = build("python -m benchmarks" + (" --quick" if args.quick else ""))
    m = report["machine"]
    print(f"\nReport ({m['nproc']} x {m['cpu']}, {m['ram_gib']} GiB RAM, Python {m['python']}):")
    for data in report["figures"]:
        fields = {k: v for k, v in data.items() if k not in ("vs_baseline", "share_of_limit")}
        print("  " + Figure(**fields).line())
    print("saved benchmarks/results/report.json and benchmarks/results/report.png")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
