"""Access policy files for ingest: which LIDs get which access, by glob pattern.

```toml
[[rule]]
lid = "urn:cnsa:clep:ce7_*"        # fnmatch pattern on the LID; first matching rule wins
access = "partner"                 # public | partner | restricted
release_at = "2027-06-01T00:00:00Z"

[[rule]]
lid = "urn:ros:rssa:luna26:*"
access = "restricted"
groups = ["luna-team"]
```
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lunadc.catalog.access import AccessSetting
from lunadc.errors import BadRequestError
from lunadc.model.access import Access
from lunadc.model.times import format_time, parse_time


@dataclass(frozen=True, slots=True)
class PolicyRule:
    pattern: str
    setting: AccessSetting


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    rules: tuple[PolicyRule, ...]

    def setting_for(self, lid: str) -> AccessSetting | None:
        for rule in self.rules:
            if fnmatch.fnmatchcase(lid, rule.pattern):
                return rule.setting
        return None

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(g for rule in self.rules for g in rule.setting.groups)


def make_setting(
    access: str, groups: list[str], release_at: str | None, where: str
) -> AccessSetting:
    try:
        level = Access(access)
    except ValueError as exc:
        raise BadRequestError(
            f"access must be public, partner or restricted, not {access!r}", where=where
        ) from exc
    if level is Access.RESTRICTED and not groups:
        raise BadRequestError("restricted access needs at least one group", where=where)
    if level is not Access.RESTRICTED and groups:
        raise BadRequestError("groups apply to restricted access only", where=where)
    release = format_time(parse_time(release_at)) if release_at else None
    return AccessSetting(level.value, frozenset(groups), release)


def load_policy(path: Path) -> AccessPolicy:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadRequestError(f"cannot read the policy file: {exc}", where=str(path)) from exc
    rules = []
    for index, entry in enumerate(raw.get("rule", []), start=1):
        where = f"{path} rule {index}"
        if not isinstance(entry, dict) or not isinstance(entry.get("lid"), str):
            raise BadRequestError("each [[rule]] needs a lid pattern", where=where)
        groups = entry.get("groups", [])
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise BadRequestError("groups must be a list of names", where=where)
        setting = make_setting(str(entry.get("access", "")), groups, entry.get("release_at"), where)
        rules.append(PolicyRule(entry["lid"], setting))
    if not rules:
        raise BadRequestError("the policy file has no [[rule]]", where=str(path))
    return AccessPolicy(tuple(rules))
