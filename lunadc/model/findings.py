"""Label problems are data: a finding has a code, a severity and a place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing validation noticed about a label or a file it describes."""

    code: str
    severity: Severity
    message: str
    file: str
    line: int | None = None
    xpath: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.severity}: {self.message} [{self.code}]"


def has_errors(findings: list[Finding] | tuple[Finding, ...]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
