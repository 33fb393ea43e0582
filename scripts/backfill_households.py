"""Bring a stage's households written before household numbers up to date (chalicelib/households/migrate.py).

    python -m scripts.backfill_households --stage prod --county 330825            # one county (again: safe)
    python -m scripts.backfill_households --stage prod --county 330825 --dry-run  # what it would write
    python -m scripts.backfill_households --stage prod --all                      # every county not yet done

Run with the stage's AWS credentials and region (AWS_REGION). It reads without a Scan and writes one TransactWrite
per household that lacks something; a second run writes nothing. Prints one JSON line per county.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts._per_county import arguments, chosen, run  # noqa: E402


def main(argv=None) -> int:
    p, args = arguments("python -m scripts.backfill_households", argv,
                        dry_run="count what would be written, write nothing")
    from chalicelib.households import migrate

    # 1: some numbers are held twice, or households kept changing (see the output)
    return run(chosen(p, args, migrate.done), args.dry_run, lambda t: migrate.backfill(t, dry_run=args.dry_run),
               migrate.mark_done)


if __name__ == "__main__":
    sys.exit(main())
