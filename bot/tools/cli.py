"""Command line: knowledge checks, offline answers, evaluation, benchmarks and the launcher."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

from bot.settings import ROOT, load_settings


def _kb_check(args: argparse.Namespace) -> int:
    from bot.kb.knowledge import KnowledgeError, load

    try:
        kb = load(load_settings().knowledge_dir)
    except KnowledgeError as error:
        print(f"knowledge/ has {len(error.problems)} problem(s):")
        print("\n".join(f"  - {p}" for p in error.problems))
        return 1
    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    stale = kb.stale(today)
    print(f"knowledge/ OK: {len(kb.entries)} entries in {len(kb.topics)} topics, "
          f"{sum(len(e.citations) for e in kb.entries.values())} citations checked against the statutes.")
    print(f"Entries not reviewed since {today - dt.timedelta(days=365)}: {len(stale)}")
    for entry in stale:
        print(f"  - {entry.id} ({entry.source}, reviewed {entry.reviewed})")
    return 0


def _kb_code(args: argparse.Namespace) -> int:
    from bot.tools.imports import model_code

    for path in model_code():
        print(path.relative_to(ROOT))
    return 0


def _kb_build(args: argparse.Namespace) -> int:
    from bot.kb import training_data
    from bot.kb.knowledge import load

    for path in training_data.write(load(load_settings().knowledge_dir), Path(args.out), ROOT / "data"):
        print(f"wrote {path}")
    return 0


def _kb_import(args: argparse.Namespace) -> int:
    from bot.kb.importing import import_knowledge
    from bot.kb.knowledge import KnowledgeError

    try:
        files = import_knowledge(Path(args.source), load_settings().knowledge_dir)
    except KnowledgeError as error:
        print(f"Nothing imported; {len(error.problems)} problem(s):")
        print("\n".join(f"  - {p}" for p in error.problems))
        return 1
    print("Imported:\n" + "\n".join(f"  - {f}" for f in files))
    print("Run `make train` (or `make run`, which trains first) to use them.")
    return 0


def _ask(args: argparse.Namespace) -> int:
    from bot.tools.offline import OfflineBot

    questions = [args.text] if args.text is not None else Path(args.file).read_text("utf-8").splitlines()
    bot = OfflineBot.load(args.model)
    for number, question in enumerate(questions):
        report = bot.ask(question, sender=f"ask-{number}")
        print(json.dumps(report, ensure_ascii=False) if args.json else report["answer"], flush=True)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from bot.tools.evaluation import run

    return run(show_misses=args.misses)


def _bench(args: argparse.Namespace) -> int:
    from bot.tools.bench import run

    return run()


def _load(args: argparse.Namespace) -> int:
    from bot.tools.load import run

    return run()


def _db_upgrade(args: argparse.Namespace) -> int:
    from bot.store.database import database_url
    from bot.tools.launcher import prepare_database

    prepare_database(database_url(), load_settings())
    print(f"app database is at the newest schema, courses loaded ({database_url().split('@')[-1]})")
    return 0


def _staff_add(args: argparse.Namespace) -> int:
    import getpass
    import os

    from bot.staff.accounts import create_staff
    from bot.store.database import migrate, session_scope

    password = os.environ.get("ZGFW_STAFF_PASSWORD") or getpass.getpass("密码（至少10位）：")
    if "ZGFW_STAFF_PASSWORD" not in os.environ and getpass.getpass("再输一次：") != password:
        print("两次输入的密码不一样。", file=sys.stderr)
        return 1
    migrate()
    try:
        with session_scope() as session:
            member = create_staff(session, username=args.username, display_name=args.name or args.username,
                                  role=args.role, password=password)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"staff account {member.username} ({member.role}) created")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.scaled:
        from bot.tools.scaled import run as run_scaled

        return run_scaled(load_settings())
    from bot.tools.launcher import run

    return run(load_settings())


def _web(args: argparse.Namespace) -> int:
    from bot.privacy import install_log_filter
    from bot.web.app import create_app

    install_log_filter()
    settings = load_settings()
    create_app(settings).run(host=settings.host, port=settings.web_port, access_log=False,
                             motd=False)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="职工服务助手")
    commands = parser.add_subparsers(dest="command", required=True)

    kb = commands.add_parser("kb", help="knowledge base").add_subparsers(dest="kb_command", required=True)
    check = kb.add_parser("check", help="validate knowledge/ and list entries due for review")
    check.add_argument("--today", help="date to measure review age from (YYYY-MM-DD)")
    check.set_defaults(handler=_kb_check)
    build = kb.add_parser("build", help="write the training files generated from knowledge/")
    build.add_argument("--out", default=str(ROOT / "build"))
    build.set_defaults(handler=_kb_build)
    kb.add_parser("code", help="list the code a trained model runs (bot/nlu and what it imports)"
                  ).set_defaults(handler=_kb_code)
    importer = kb.add_parser("import", help="bring in a union's own knowledge files (checked first)")
    importer.add_argument("source", help="folder with entries/*.yml, local/*.yml, terms.yml, next_steps.yml")
    importer.set_defaults(handler=_kb_import)

    ask = commands.add_parser("ask", help="answer questions with the trained model, without servers")
    source = ask.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="one question")
    source.add_argument("--file", help="a file with one question a line")
    ask.add_argument("--json", action="store_true", help="one JSON object a line")
    ask.add_argument("--model", help="model archive (default: newest in models/)")
    ask.set_defaults(handler=_ask)

    evaluate = commands.add_parser("eval", help="topic accuracy, referrals and safety on every labelled set")
    evaluate.add_argument("--misses", action="store_true", help="also print every miss as JSON")
    evaluate.set_defaults(handler=_eval)

    db = commands.add_parser("db", help="app database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply the migrations and load the course catalogue (make run does it)") \
        .set_defaults(handler=_db_upgrade)

    staff = commands.add_parser("staff", help="console accounts").add_subparsers(dest="staff_command", required=True)
    add = staff.add_parser("add", help="create a staff account (password prompted, or ZGFW_STAFF_PASSWORD)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=("counselor", "legal", "admin"))
    add.add_argument("--name", help="name shown to workers, e.g. 小李")
    add.set_defaults(handler=_staff_add)

    commands.add_parser("bench", help="latency against a minimal Rasa bot").set_defaults(handler=_bench)
    commands.add_parser("load", help="turns/s under load: the floor bot, this bot, this bot scaled") \
        .set_defaults(handler=_load)
    run = commands.add_parser("run", help="start every server on localhost")
    run.add_argument("--scaled", action="store_true",
                     help="PostgreSQL, Redis, ZGFW_REPLICAS Rasa and action servers, nginx on ZGFW_PUBLIC_PORT")
    run.set_defaults(handler=_run)
    commands.add_parser("web", help="serve the chat page only").set_defaults(handler=_web)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the chosen command."""
    args = _parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
