"""What ``verify_all()`` reports: the kinds of broken links, one broken link, the result.

Kept apart from the two verification passes (``verify`` and ``verify_seals``) so both can use
them without importing each other.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

EDITED = "hash mismatch (record edited)"
GAP = "sequence gap (record deleted)"
PREV = "prev_hash does not match (record inserted/reordered)"
BEYOND = "record beyond chain head (record inserted)"
ORPHAN = "no chain head for this chain (record inserted)"
HEAD = "chain head mismatch (last record deleted)"
RETIRED = "signed with a retired key (forged after a key rotation?)"
ANCHOR = "anchor count/digest mismatch for day {day}"
ANCHOR_CHAIN = "anchor chain broken"
CHECKPOINT = "checkpoint count/digest mismatch for day {day}"
CHECKPOINT_CHAIN = "checkpoint chain broken"
PURGE = "purge mark mismatch"
EPOCH = "key rotation record mismatch"
ANCHOR_LOG = "seal in the anchor log missing or changed in the database (seals deleted)"
VERIFIED = "records verified before are missing or were added (record deleted or inserted)"
FORGED = "verification checkpoint forged (to skip records)"

# What each kind means, for people reading the verify page.
LABELS = {
    EDITED: _("哈希不符:记录被修改"),
    GAP: _("序号中断:记录被删除"),
    PREV: _("前一哈希不符:记录被插入或调换顺序"),
    BEYOND: _("记录超出链头:记录被插入"),
    ORPHAN: _("链没有链头:记录被插入"),
    HEAD: _("链头与末条记录不符:末尾记录被删除"),
    RETIRED: _("使用已停用的密钥签名:轮换后伪造"),
    ANCHOR: _("日锚的记录数或摘要不符"),
    ANCHOR_CHAIN: _("日锚链断裂"),
    CHECKPOINT: _("检查点的记录数或摘要不符"),
    CHECKPOINT_CHAIN: _("检查点链断裂"),
    PURGE: _("清理标记不符"),
    EPOCH: _("密钥轮换记录不符"),
    ANCHOR_LOG: _("库外封存副本中的封存在数据库中缺失或被改:封存被删除"),
    VERIFIED: _("此前校验过的记录缺失或被增加:记录被删除或插入"),
    FORGED: _("校验进度被伪造(以跳过记录)"),
}


@dataclass(frozen=True)
class BrokenLink:
    """One broken link: what is wrong and where."""

    kind: str
    message: str
    record_id: int | None = None
    chain_key: str = ""
    seq: int | None = None
    day: dt.date | None = None
    detail: str = ""

    @property
    def label(self):
        """The kind of break in words (Chinese first)."""
        return LABELS.get(self.kind, self.kind)

    def __str__(self):
        where = []
        if self.record_id is not None:
            where.append(f"record {self.record_id}")
        if self.chain_key:
            where.append(f"chain {self.chain_key}")
        if self.seq is not None:
            where.append(f"seq {self.seq}")
        if self.day is not None and self.kind not in (ANCHOR, CHECKPOINT):  # they name it
            where.append(f"day {self.day.isoformat()}")
        text = self.message
        if where:
            text += " at " + ", ".join(where)
        if self.detail:
            text += f" ({self.detail})"
        return text


@dataclass
class VerifyResult:
    """The outcome of ``verify_all()``: counts, the first broken link and how many there are;
    ``warnings`` say what could not be checked (they do not make the log broken)."""

    records: int = 0
    chains: int = 0
    anchors: int = 0
    checkpoints: int = 0
    purge_marks: int = 0
    key_epochs: int = 0
    problems: int = 0
    broken: BrokenLink | None = None
    warnings: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None

    def summary(self) -> str:
        if self.ok:
            text = f"OK: {self.records} records, {self.chains} chains, {self.anchors} anchors"
            if self.checkpoints:
                text += f", {self.checkpoints} checkpoints"
            if self.purge_marks:
                text += f", {self.purge_marks} purge marks"
            if self.key_epochs:
                text += f", {self.key_epochs} key rotations"
            return text
        return f"BROKEN: {self.broken} [{self.problems} problem(s) in total]"


class First:
    """Keeps the first problem by a sort key, and the number of problems, in O(1) memory."""

    def __init__(self, result: VerifyResult):
        self.result = result
        self.key = None

    def add(self, key, link: BrokenLink) -> None:
        self.result.problems += 1
        if self.key is None or key < self.key:
            self.key = key
            self.result.broken = link


def record_key(record_id):
    """Record problems come first, lowest record id first."""
    return (0, record_id if record_id is not None else float("inf"), 0)


def day_key(day, order):
    """Then seal problems, earliest day first; ``order`` ranks kinds on the same day."""
    return (1, day.toordinal() if day else 0, order)
