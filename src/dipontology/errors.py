"""The one error type for bad input, shared by every stage.

Every stage raises :class:`InputError` for input it cannot use; the command line turns it into a one-line message
``file:line:column: message (fix: ...)`` and exit code 2. Anything else that escapes is a bug (exit code 3).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: characters a terminal would obey rather than show: C0/C1 controls (ESC starts escape sequences), bidirectional
#: overrides and isolates, zero-width characters. Messages quote input, so they are written as \\uXXXX escapes.
_HIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


@dataclass
class InputError(Exception):
    """Input that cannot be used, with where it is and how to fix it.

    :param message: what is wrong, in plain words.
    :param file: the file (or ``<stdin>``, ``<query>``) the problem is in, if any.
    :param line: 1-based line number, if known.
    :param column: 1-based column, if known.
    :param fix: how to fix it.

    >>> str(InputError("unexpected token", file="case.ttl", line=3, column=7, fix="close the string"))
    'case.ttl:3:7: unexpected token (fix: close the string)'
    >>> str(InputError("bad token '\x1b[2J'"))  # input quoted in a message never reaches a terminal raw
    "bad token '\\\\u001b[2J'"
    """

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    fix: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def location(self) -> str:
        """``file:line:column`` with whatever parts are known (empty when none is)."""
        parts = [p for p in (self.file, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts)

    def __str__(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.fix:
            text += f" (fix: {self.fix})"
        return _HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class DependencyError(InputError):
    """A required external program (such as ``java``) is missing: an environment error, exit code 2."""
