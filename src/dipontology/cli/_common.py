"""Options and output helpers shared by the subcommands."""
from __future__ import annotations

import argparse
import sys

from ..atomic import write_text

LEVELS = ("ERROR", "WARN", "INFO")


def add_output_options(parser: argparse.ArgumentParser, formats: tuple[str, ...], default: str) -> None:
    """``--format`` and ``-o/--output`` (written atomically)."""
    parser.add_argument("--format", choices=formats, default=default, help=f"output format (default: {default})")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")


def add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")


def emit(text: str, output: str | None) -> None:
    """Print ``text`` or write it atomically to ``output``."""
    if output:
        write_text(output, text if text.endswith("\n") else text + "\n")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def progress(args: argparse.Namespace, message: str) -> None:
    """A progress line on stderr unless ``--quiet``."""
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr, flush=True)
