"""`python -m devstack run [--reset] [--port 8000] [--data var/local]` starts the whole system locally.
`python -m devstack openapi` prints the OpenAPI document."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(args) -> None:
    from chalicelib import manifests

    from .aws import EmbeddedAws, configure_env

    manifests.register()  # the modules' permissions and case types, before seeding or migrating anything

    data = Path(args.data).resolve()
    if args.reset and data.exists():
        shutil.rmtree(data)
    aws = EmbeddedAws(port=args.aws_port, data_dir=str(data))
    configure_env(aws.port)
    os.environ["CQT_SMS_OUTBOX"] = str(data / "sms-outbox.jsonl")
    os.environ["CQT_APP_ORIGINS"] = f"http://127.0.0.1:{args.port},http://localhost:{args.port}"
    os.environ["CQT_APP_URL"] = f"http://127.0.0.1:{args.port}"
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("CQT_STRICT_RESPONSES", "1")  # answers checked against their models (core/http.py)
    sys.path.insert(0, str(ROOT))
    restored = aws.start()
    from chalicelib.core.config import settings

    aws.ensure_kms_key(settings().pii_key_id)
    aws.record()
    from .provision import provision

    provision()
    from . import seed as demo

    seeded_now = False
    if not demo.is_seeded():
        counts = demo.seed()
        seeded_now = True
    from chalicelib.households import migrate, reindex, township_coverage
    from chalicelib.tipoffs import migrate as tipoffs_migrate

    if seeded_now:
        migrate.mark_done(demo.COUNTY_CODE)  # seeded in the current form: nothing to bring up to date
        tipoffs_migrate.mark_done(demo.COUNTY_CODE)
        reindex.mark_done(demo.COUNTY_CODE)
    migrated = migrate.run_pending()  # data restored from an earlier version (once per county)
    reindexed = reindex.run_pending()  # members indexed with the platform key move to their county's (once)
    moved = tipoffs_migrate.run_pending()  # tip-offs filed before the case workflow become cases
    covered = township_coverage.run_pending()  # county coverage counters get their townships' figures (once)
    invite, address = demo.demo_invite()
    from .demo_data import COUNTY_NAME as DEMO_NAME
    from .provision import provision_directory

    directory = provision_directory({demo.COUNTY_CODE: DEMO_NAME}, f"http://127.0.0.1:{args.port}")
    from app import app

    from .events import EventRunner
    from .gateway import Gateway, make_server

    events = EventRunner(app)
    events.start()  # stream handlers every 0.5 s, scheduled handlers once a minute

    web = ROOT / "web" / "dist"
    server = make_server(Gateway(app, outbox_path=os.environ["CQT_SMS_OUTBOX"], web_root=web), args.port)
    url = f"http://127.0.0.1:{args.port}/"
    lines = [
        "", "村情通 (Cunqingtong) is running locally.",
        f"  App (phone):  {url}", f"  Console:      {url}console/",
        f"  API:          {url}api/  (OpenAPI: {url}api/openapi.json)",
        f"  Embedded AWS: http://127.0.0.1:{aws.port}   data: {data}",
        f"  Cells:        this stack is the only cell; directory s3://{directory}/directory.json",
        ("  Demo county 龙游县 (330825) seeded: " + json.dumps(counts)) if seeded_now
        else f"  Restored local data{' from ' + str(aws.recording) if restored else ''} (make reset starts clean).",
        *[f"  Brought {t}'s households up to date ({migrate.NAME}): "
          + json.dumps({k: v for k, v in c.items() if v}, ensure_ascii=False) for t, c in migrated.items()
          if c["written"] or c["sequences"] or c["conflicts"] or c["failed"]],
        *[f"  Moved {c['tipoffs']} of {t}'s tip-offs onto the case workflow ({tipoffs_migrate.NAME})"
          for t, c in moved.items() if c["tipoffs"]],
        *[f"  Re-indexed {c['moved']} of {t}'s members with the county's blind-index key ({reindex.NAME})"
          + (f"; not done: {len(c['conflicts'])} conflicts, {len(c['failed'])} failed" if c["conflicts"] or c["failed"]
             else "") for t, c in reindexed.items() if c["moved"] or c["conflicts"] or c["failed"]],
        *[f"  Put {c['townships']} townships' figures on {t}'s coverage counters ({township_coverage.NAME})"
          + (f"; not done: {len(c['conflicts'])} conflicts, {len(c['failed'])} failed" if c["conflicts"] or c["failed"]
             else "") for t, c in covered.items()],
        "", "Sign in with one of the phones below; no SMS is sent locally: the 6-digit code is printed here as "
        f"[sms-outbox] and listed at {url}__dev/sms.",
        "Demo sign-ins (phone, role, place):",
    ]
    from .demo_data import COUNTY_CODE, COUNTY_NAME, DEMO_ACCOUNTS, build_demo_county

    place_names = {p["code"]: p["name"] for p in build_demo_county()["places"]}
    place_names.update({COUNTY_CODE: COUNTY_NAME, "*": "全平台"})
    for a in DEMO_ACCOUNTS:
        lines.append(f"  {a['phone']}  {a['label_zh']:<14} {a['name']}  @ {place_names.get(a['place'], a['place'])}")
    lines += [f"  Villager: sign in to the app with any other mobile number and enter the invite code {invite}",
              f"            (household at {address}; or open {url}link?code={invite}).",
              "", "Ctrl-C stops; data stays for the next `make run` (`make reset` starts clean).", ""]
    print("\n".join(lines), flush=True)

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        events.stop()
        aws.stop()
        print("stopped", flush=True)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="devstack")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="start the local stack")
    r.add_argument("--port", type=int, default=int(os.environ.get("CQT_PORT", 8000)))
    r.add_argument("--aws-port", type=int, default=int(os.environ.get("CQT_AWS_PORT", 0)) or None)
    r.add_argument("--data", default=os.environ.get("CQT_DATA", str(ROOT / "var" / "local")))
    r.add_argument("--reset", action="store_true", help="forget local data and seed the demo county again")
    sub.add_parser("openapi", help="print the OpenAPI document")
    args = p.parse_args(argv)
    if args.cmd == "run":
        _run(args)
    else:
        os.environ.setdefault("CQT_STAGE", "local")
        sys.path.insert(0, str(ROOT))
        import app  # noqa: F401  (registers the routes)
        from chalicelib.core.openapi import document

        print(json.dumps(document(), ensure_ascii=False, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
