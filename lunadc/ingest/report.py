"""What an ingest run reports: per product outcome and the closing summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from lunadc.model.findings import Finding


class Outcome(StrEnum):
    INGESTED = "ingested"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A label that was not registered, with every reason found."""

    file: str
    reasons: tuple[str, ...]
    lidvid: str | None = None


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    bytes_stored: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.rejected

    def as_dict(self) -> dict[str, object]:
        return {
            "ingested": len(self.ingested),
            "unchanged": len(self.unchanged),
            "rejected": [
                {"file": r.file, "lidvid": r.lidvid, "reasons": list(r.reasons)}
                for r in self.rejected
            ],
            "warnings": [str(w) for w in self.warnings],
            "bytes_stored": self.bytes_stored,
            "seconds": round(self.seconds, 3),
        }
