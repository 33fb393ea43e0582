"""Bring a stage's households written before household numbers up to date (chalicelib/households/migrate.py).

    python -m scripts.backfill_households --stage prod --county 330825            # one county (again: safe)
    python -m scripts.backfill_households --stage prod --county 330825 --dry-run  # what it would write
    python -m scripts.backfill_households --stage prod --all                      # every county not yet done

Run with the stage's AWS credentials and region (AWS_REGION). It reads without a Scan and writes one TransactWrite
per household that lacks something; a second run writes nothing. Prints one JSON line per county.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.backfill_households")
    p.add_argument("--stage", help="the deployment stage (CQT_STAGE); default: the environment's")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--county", action="append", help="a county code (repeatable); runs even if marked done")
    which.add_argument("--all", action="store_true", help="every county without the migration's marker")
    p.add_argument("--dry-run", action="store_true", help="count what would be written, write nothing")
    args = p.parse_args(argv)
    if args.stage:
        os.environ["CQT_STAGE"] = args.stage  # before any settings are read
    from chalicelib.core.counties import validate_county_code
    from chalicelib.households import migrate

    if args.all:
        tenants = [t for t in migrate.counties() if not migrate.done(t)]
    else:
        try:
            tenants = [validate_county_code(c) for c in args.county]
        except ValueError as e:
            p.error(str(e))
    status = 0
    for t in tenants:
        counts = migrate.backfill(t, dry_run=args.dry_run)
        if not args.dry_run:
            migrate.mark_done(t, counts)
        status |= bool(counts["conflicts"] or counts["failed"])
        print(json.dumps({"county": t, "dry_run": args.dry_run, **counts}, ensure_ascii=False), flush=True)
    return 1 if status else 0  # 1: some numbers are held twice, or households kept changing (see the output)


if __name__ == "__main__":
    sys.exit(main())
