"""Turn a stage's tip-offs filed before the case workflow into cases (chalicelib/tipoffs/migrate.py).

    python -m scripts.move_tipoffs --stage prod --all            # every county not yet done
    python -m scripts.move_tipoffs --stage prod --county 330825  # one county (again: safe, nothing left to move)

Run with the stage's AWS credentials and region (AWS_REGION). Prints one JSON line per county.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.move_tipoffs")
    p.add_argument("--stage", help="the deployment stage (CQT_STAGE); default: the environment's")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--county", action="append", help="a county code (repeatable); runs even if marked done")
    which.add_argument("--all", action="store_true", help="every county without the migration's marker")
    args = p.parse_args(argv)
    if args.stage:
        os.environ["CQT_STAGE"] = args.stage  # before any settings are read
    from chalicelib import manifests
    from chalicelib.core.counties import validate_county_code
    from chalicelib.households.migrate import counties
    from chalicelib.tipoffs import migrate

    manifests.register()  # the case types
    if args.all:
        tenants = [t for t in counties() if not migrate.done(t)]
    else:
        try:
            tenants = [validate_county_code(c) for c in args.county]
        except ValueError as e:
            p.error(str(e))
    for t in tenants:
        counts = migrate.backfill(t)
        migrate.mark_done(t, counts)
        print(json.dumps({"county": t, **counts}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
