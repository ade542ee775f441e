"""The ``graphmem`` command: thin argument parsing over the server and services."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphmem", description="An LLM-free memory server for chat agents.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP server (embedded PostgreSQL unless GRAPHMEM_DATABASE_URL is set)")
    serve.add_argument("--host", help="bind address (GRAPHMEM_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (GRAPHMEM_PORT, default 8420)")
    serve.add_argument("--data-dir", help="data directory for the embedded database (GRAPHMEM_DATA_DIR)")

    sub.add_parser("migrate", help="create pgvector and run the migrations, then exit")

    work = sub.add_parser("worker", help="run ingest workers alone, against the same database as the server")
    work.add_argument("--count", type=int, help="worker loops in this process (default GRAPHMEM_WORKERS, at least 1)")
    work.add_argument("--once", action="store_true", help="exit when the queue is empty")

    extract = sub.add_parser("extract", help="print the entities and relations a message would yield; stores nothing")
    extract.add_argument("text", nargs="?", help="one message")
    extract.add_argument("--speaker", help="who says it (first-person words resolve to this name)")
    extract.add_argument("--role", default="user", choices=["user", "assistant", "other"])
    extract.add_argument("--file", help="a JSON conversation: {\"messages\": [...]} as for ingest, or a list; - for stdin")

    schemas = sub.add_parser("schemas", help="write the JSON Schemas of the wire format to schemas/")
    schemas.add_argument("--check", action="store_true", help="write nothing; exit 1 if the files differ from the code")
    schemas.add_argument("--dir", default="schemas", help="the directory (default: schemas)")

    keys = sub.add_parser("keys", help="API keys: create (shown once), list, revoke")
    keys_sub = keys.add_subparsers(dest="keys", required=True)
    create = keys_sub.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="who or what the key is for")
    create.add_argument("--scope", action="append", choices=["read", "write", "admin"], default=[],
                        help="read, write or admin (admin includes write, write includes read); repeatable")
    keys_sub.add_parser("list", help="list keys (prefix, name, scopes, state); never the keys themselves")
    revoke = keys_sub.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("id", type=int)

    backup = sub.add_parser("backup", help="write the database (embedded or GRAPHMEM_DATABASE_URL) to a pg_dump file")
    backup.add_argument("path", help="the file to write")
    restore = sub.add_parser("restore", help="load a backup into a new (empty or freshly migrated) database")
    restore.add_argument("path", help="a file written by graphmem backup")

    from graphmem.cli.mcp import add_parser as add_mcp_parser

    add_mcp_parser(sub)

    bench = sub.add_parser("bench", help="benchmarks")
    bench_sub = bench.add_subparsers(dest="bench", required=True)
    benches = (
        ("ingest", "messages/s through HTTP vs bare embedding"),
        ("search", "search latency over HTTP vs bare query embedding"),
        ("extract", "extraction messages/s vs bare nlp.pipe"),
        ("retrieval", "turn-level recall vs BM25, dense and RRF, with an ablation"),
        ("erasure", "seconds to erase one user with 10,000 messages (bulk-filled, no models)"),
        ("load", "concurrent clients on a mixed workload; --faults N adds kill -9 and PostgreSQL restarts"),
        ("scale", "search p50/p95 over HTTP at 1M memories / 10k users (bulk-loaded), recall, sizes, RSS"),
    )
    for name, text in benches:
        b = bench_sub.add_parser(name, help=text)
        b.add_argument("--data", default="../shared/data/locomo/locomo-dev.json", help="LoCoMo-layout JSON file")
        b.add_argument("--messages", type=int, default=2000, help="how many turns to use")
        b.add_argument("--queries", type=int, default=200, help="how many queries (search)")
        b.add_argument("--batch", type=int, default=32, help="messages per ingest request")
        if name == "erasure":
            b.set_defaults(messages=10_000)
        if name == "load":
            b.add_argument("--clients", type=int, default=32, help="concurrent clients, one user each")
            b.add_argument("--duration", type=float, default=60.0, help="seconds of load")
            b.add_argument("--faults", type=int, default=0, help="alternate kill -9 / PostgreSQL restarts, N in all")
            b.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, seconds")
        if name == "scale":
            b.set_defaults(queries=500)
            b.add_argument("--users", type=int, default=10_000, help="how many users")
            b.add_argument("--per-user", type=int, default=100, help="memories per user")
            b.add_argument("--pool", type=int, default=2000, help="distinct real texts embedded and reused")
            b.add_argument("--recall-users", type=int, default=100, help="users whose top-10 is checked exactly")
            b.add_argument("--vector-index", choices=["exact", "hnsw", "both"], default="both",
                           help="measure without the HNSW index, with it, or both in turn")
            b.add_argument("--seed", type=int, default=0)
        if name == "retrieval":
            b.add_argument("--data-dir", help="keep the ingested database here and reuse it on the next run")
            b.add_argument("--questions", type=int, default=0, help="only the first N questions (0: all)")
            b.add_argument("--no-ablation", action="store_true", help="baselines and the default recipe only")

    from graphmem.cli import demo, imports, reembed

    imports.add_parsers(sub)
    reembed.add_parser(sub)
    demo.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        from graphmem.cli.serve import serve

        return serve(host=args.host, port=args.port, data_dir=args.data_dir)
    if args.command == "migrate":
        from graphmem.cli.serve import migrate

        return migrate()
    if args.command == "worker":
        from graphmem.cli.worker import worker

        return worker(count=args.count, once=args.once)
    if args.command == "extract":
        from graphmem.cli.extract import extract

        return extract(args.text, file=args.file, speaker=args.speaker, role=args.role)
    if args.command == "schemas":
        from graphmem.cli.schemas import schemas

        return schemas(args.dir, check=args.check)
    if args.command == "keys":
        from graphmem.cli.keys import keys

        return keys(args.keys, name=getattr(args, "name", None), scopes=getattr(args, "scope", ()),
                    key_id=getattr(args, "id", None))
    if args.command in ("backup", "restore"):
        from graphmem.cli import backup as backup_cli

        return backup_cli.backup(args.path) if args.command == "backup" else backup_cli.restore(args.path)
    if args.command in ("import", "import-chroma"):
        from graphmem.cli.imports import main_import, main_import_chroma

        return main_import(args) if args.command == "import" else main_import_chroma(args)
    if args.command == "reembed":
        from graphmem.cli.reembed import main_reembed

        return main_reembed(args)
    if args.command == "demo":
        from graphmem.cli.demo import main_demo

        return main_demo(args)
    if args.command == "mcp":
        from graphmem.cli.mcp import mcp

        return mcp(args)
    if args.command == "bench":
        from graphmem.bench import run

        return run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
