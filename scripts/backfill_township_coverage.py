"""Put the township figures on a stage's county coverage counters (chalicelib/households/township_coverage.py).

    python -m scripts.backfill_township_coverage --stage prod --county 330825            # one county (again: safe)
    python -m scripts.backfill_township_coverage --stage prod --county 330825 --dry-run  # what it would write
    python -m scripts.backfill_township_coverage --stage prod --all                      # every county lacking them

Run with the stage's AWS credentials and region (AWS_REGION), after deploying the version whose household writes
ADD `h_{nnn}` / `f_{nnn}` (the township's 3 digits) to the county's coverage shards. Until a county has run it, the
back office's quality page and the quarterly report read each township's own shards (right, one BatchGet per 12
townships). It reads without a Scan and writes one TransactWrite per county; a second run writes nothing. Prints one
JSON line per county (codes and counts only).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts._per_county import arguments, chosen, run  # noqa: E402


def main(argv=None) -> int:
    p, args = arguments("python -m scripts.backfill_township_coverage", argv,
                        dry_run="count the county shards it would write, write nothing")
    from chalicelib.households import service as households
    from chalicelib.households import township_coverage

    def done(t: str) -> bool:
        return households.townships_attributed(households.county_shards(t, consistent=True))

    # 1: a county's counter has households no township accounts for, or the counters kept changing (see the output)
    return run(chosen(p, args, done), args.dry_run, lambda t: township_coverage.backfill(t, dry_run=args.dry_run),
               lambda t, counts: None)


if __name__ == "__main__":
    sys.exit(main())
