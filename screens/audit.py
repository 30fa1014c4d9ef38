"""The audit card: the site being audited, its running counts in each result category, the latest scans."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal

from kiosk.dto import AUDIT_LABELS, AuditCard
from screens.bigtext import BigText
from screens.cards import LABEL, MUTED, Card
from screens.parts import part
from screens.steady import Steady

STYLES = {
    "verified": "bold #55FF55",
    "missing": "bold #FF5555",
    "misplaced": "bold #FFFF55",
    "on_loan": "bold #FFFF55",
    "unknown": "bold #FF55FF",
}
"""How each result category is drawn: green found, red missing, yellow to sort out, magenta unknown."""


def head_text(card: AuditCard) -> Text:
    """Which audit: the site, its number, who started it and where it stands."""
    text = Text()
    text.append(card.site_name, "bold #FFFF55")
    text.append(f"  LOC-{card.site}  audit {card.id}\n", MUTED)
    state = {"open": "in progress", "finished": "finished", "abandoned": "abandoned"}[card.status]
    text.append(f"{state}, started {card.started} by {card.started_by}", MUTED)
    return text


def counts_text(card: AuditCard) -> Text:
    """The count of each result category, and the storage case armed for the next device."""
    text = Text()
    for name, n in card.counts:
        text.append(f"{AUDIT_LABELS[name]:<18}", LABEL)
        text.append(f"{n:>5}", STYLES[name] if n else "#FFFFFF")
        if name == "missing":
            text.append(f" of {card.expected}", MUTED)
        text.append("\n")
    if card.case is not None:
        text.append(f"CASE-{card.case}: scan its device", "bold #55FFFF")
    return text


def recent_text(card: AuditCard) -> Text:
    """The latest scans, newest first."""
    text = Text()
    for line in card.recent:
        text.append(f"{line.code:<12} ", "#FFFFFF")
        text.append(f"{AUDIT_LABELS[line.result]:<18}", STYLES[line.result])
        text.append(f"{line.note}\n", MUTED)
    return text


class AuditCardView(Card):
    """The open audit: its counts beside the number of things counted so far in big digits, then the latest scans."""

    DEFAULT_CSS = """
    AuditCardView .audit-head {
        height: 2;
    }
    AuditCardView .audit-top {
        height: 7;
    }
    AuditCardView .audit-counts {
        width: 32;
    }
    AuditCardView .audit-count {
        width: 1fr;
        height: 1fr;
        content-align: center middle;
        color: #55FF55;
    }
    AuditCardView .audit-recent {
        height: 1fr;
        overflow: hidden hidden;
    }
    """

    def compose(self) -> ComposeResult:
        yield Steady(Text(self.empty, MUTED), fixed_size=True, classes="audit-head")
        with Horizontal(classes="audit-top"):
            yield Steady("", classes="audit-counts")  # its height is its lines (an armed case adds one)
            yield BigText("", fill=True, max_scale=3, classes="audit-count")
        yield Steady("", fixed_size=True, classes="audit-recent")

    def show_audit(self, card: AuditCard | None) -> None:
        """Show the audit (or the hint to scan a LOC- card when none is open)."""
        part(self, ".audit-head", Steady).show_content(head_text(card) if card else Text(self.empty, MUTED))
        part(self, ".audit-top").display = card is not None
        part(self, ".audit-recent", Steady).show_content(recent_text(card) if card else "")
        if card is not None:
            part(self, ".audit-counts", Steady).show_content(counts_text(card))
            counted = sum(n for name, n in card.counts if name != "missing")
            part(self, ".audit-count", BigText).text = str(counted)
