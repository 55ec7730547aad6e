"""docs/contributing.md and README.md stay true about the contributor's path: the sheet tables are generated from
the sheets, and every command the README's contributor section shows exists with the options it uses."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from dipontology.cli import build_parser
from dipontology.contribution.sheets import sheets_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_the_sheet_tables_are_current():
    text = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- sheets:begin -->\n(.*?)<!-- sheets:end -->", text, re.S)
    assert m and m.group(1) == sheets_markdown(), (
        'regenerate the block with: python -c "from dipontology.contribution.sheets import sheets_markdown; '
        'print(sheets_markdown())"')


def test_the_readme_contributor_commands_parse():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"## Contribute a case study\n(.*?)\n## ", text, re.S)
    assert section, "README.md has no 'Contribute a case study' section"
    block = re.findall(r"```sh\n(.*?)```", section.group(1), re.S)[0]
    commands = [shlex.split(line.split("#")[0].split("&&")[0]) for line in block.splitlines()
                if line.startswith("dipontology ")]
    assert {c[1] for c in commands} >= {"init", "template", "convert", "validate", "accept", "build"}
    parser = build_parser()
    for command in commands:
        parser.parse_args(command[1:])  # exits (SystemExit) on an unknown option or subcommand
