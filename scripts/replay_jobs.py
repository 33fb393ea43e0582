"""Send the scheduled jobs that failed at every try (the jobs dead-letter queue, `cqt-{stage}-jobs-dlq`) back to the
jobs queue, once what made them fail is fixed (docs/operations.md, "Scheduled work").

    python -m scripts.replay_jobs --stage prod --list     # up to 10 of what waits there (they stay)
    python -m scripts.replay_jobs --stage prod            # move them all back; the worker runs them again

Run with the stage's AWS credentials and region (AWS_REGION). Prints one JSON line per message. A job runs as of
the time it was scheduled (`at`): reminders for a day that is over are skipped; escalation catches up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.replay_jobs")
    p.add_argument("--stage", help="the deployment stage (CQT_STAGE); default: the environment's")
    p.add_argument("--list", action="store_true", help="only list the messages (each is received, so it stays "
                                                       "invisible for 30 s and counts one receive more)")
    p.add_argument("--limit", type=int, help="move at most this many")
    args = p.parse_args(argv)
    if args.stage:
        os.environ["CQT_STAGE"] = args.stage  # before any settings are read
    from chalicelib.core import jobs

    if args.list:
        from chalicelib.core.aws import client
        from chalicelib.core.config import settings

        sqs = client("sqs")
        dlq = sqs.get_queue_url(QueueName=f"{settings().jobs_queue}-dlq")["QueueUrl"]
        for m in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=30,
                                     AttributeNames=["All"]).get("Messages", []):
            print(json.dumps({"message": json.loads(m["Body"]), "receives": m["Attributes"].get(
                "ApproximateReceiveCount")}, ensure_ascii=False))
        return 0
    for body in jobs.replay(args.limit):
        print(json.dumps({"replayed": body}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
