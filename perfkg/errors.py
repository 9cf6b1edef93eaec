"""The exceptions perfkg raises. Each carries where it happened, so one line can teach the fix.

The CLI turns every ``PerfkgError`` into one ``Error:`` line and the exit code named by the
class (README, "Exit codes"); a traceback means a bug in perfkg, never in the user's file.
"""

from __future__ import annotations

from perfkg.model import Location

__all__ = [
    "PerfkgError",
    "ReadError",
    "UnsupportedFile",
    "NotATargetTable",
    "MalformedTable",
    "EncodingProblem",
]


class PerfkgError(Exception):
    """Base class: a user-facing error with an optional source location."""

    exit_code = 2

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location.describe()}: {self.message}"


class ReadError(PerfkgError):
    """A file could not be read as a performance target table."""


class UnsupportedFile(ReadError):
    """The file is empty, binary junk, or of a format perfkg does not read."""


class EncodingProblem(ReadError):
    """A text file is not in an encoding perfkg was told to expect."""


class NotATargetTable(ReadError):
    """The file reads, but holds no performance target table."""


class MalformedTable(ReadError):
    """A table is there but broken: cut short, or missing a part every table has."""
