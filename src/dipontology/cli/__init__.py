"""The ``dipontology`` command: argument parsing and rendering only.

Each subcommand lives in its own module in this package and exposes ``register(subparsers)``, which adds its
parser and sets ``func`` to a function ``(args) -> int``. Modules are discovered, so adding a command means adding
a module.

Exit codes (DESIGN §5): 0 clean; 1 findings at or above ``--fail-on``; 2 usage or input error; 3 a bug.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback

from .. import __version__
from ..errors import InputError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_BUG = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors, which is what DESIGN §5 asks for; keep its message short."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dipontology",
        description="Check, reason over, validate, query, export, build and serve the dipontology knowledge graph "
        "of diplomacy beyond governments.",
        epilog="Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error, 3 internal error. "
        "Set DIPONTOLOGY_DEBUG=1 to see tracebacks of internal errors.",
    )
    parser.add_argument("--version", action="version", version=f"dipontology {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns (and, as a console script, exits with) the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        code = args.func(args)
    except InputError as exc:
        print(f"dipontology {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("dipontology: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: say so plainly, without a wall of traceback unless asked
        if os.environ.get("DIPONTOLOGY_DEBUG"):
            traceback.print_exc()
        print(f"dipontology {args.command}: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in dipontology; please report it (DIPONTOLOGY_DEBUG=1 shows the traceback).",
              file=sys.stderr)
        return EXIT_BUG
    return int(code or 0)


def run() -> None:  # pragma: no cover - console entry point helper
    sys.exit(main())
