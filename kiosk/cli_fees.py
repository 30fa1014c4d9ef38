"""``kiosk fees``, ``kiosk policy show`` and ``kiosk tickets``: the office's side of accountability.

Reading (a statement, the policy, the ticket list) acts as whoever can reach
the database, like ``kiosk lookup``. Every change (a payment, a waiver, a
charge, a ticket opened or moved) signs an operator in with ``--operator
BADGE`` (PIN from ``KIOSK_PIN`` or a prompt), and the services check the role.
"""

from __future__ import annotations

import json

from kiosk.errors import BadInput, KioskError
from kiosk.policy import describe, fee_policy, money, parse_money

FEES_USAGE = """kiosk fees STUDENT [--json]
       kiosk fees pay STUDENT AMOUNT --receipt NUMBER [--method cash|check|card|online] [--fee ID] --operator BADGE
       kiosk fees waive FEE_ID --reason TEXT --operator BADGE
       kiosk fees charge STUDENT ACCESSORY [--device TAG] --operator BADGE"""
TICKET_STATUSES = ("open", "sent_out", "in_repair", "awaiting_parts", "repaired", "unrepairable")


def register(sub, g) -> dict:
    """Add ``fees``, ``policy`` and ``tickets`` to the ``kiosk`` parser."""
    p = sub.add_parser(
        "fees",
        parents=[g],
        help="a student's fees; pay, waive or charge one",
        usage=FEES_USAGE,
        description="A student's fees and payments; record a payment, waive a fee (admins), charge an accessory.",
    )
    p.add_argument("words", nargs="+", metavar="STUDENT | pay STUDENT AMOUNT | waive FEE_ID | charge STUDENT ITEM")
    p.add_argument("--method", default="cash", help="pay: cash (default), check, card or online")
    p.add_argument("--receipt", help="pay: the receipt number given to the family (required)")
    p.add_argument("--fee", type=int, metavar="ID", help="pay: put the payment on this fee only")
    p.add_argument("--reason", help="waive: why (required), e.g. the police report number")
    p.add_argument("--device", metavar="TAG", help="charge: the device the accessory belonged to")
    p.add_argument("--operator", metavar="BADGE", help="who records the change (PIN from KIOSK_PIN or a prompt)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("policy", parents=[g], help="the fee policy in force")
    psub = p.add_subparsers(dest="policy_action", metavar="ACTION", required=True)
    s = psub.add_parser("show", parents=[g], help="show the fee policy the config file describes")
    s.add_argument("--json", action="store_true")

    p = sub.add_parser("tickets", parents=[g], help="repair tickets: list, show, open, update")
    tsub = p.add_subparsers(dest="ticket_action", metavar="ACTION")
    p.add_argument("--all", action="store_true", help="list resolved tickets too")
    p.add_argument("--json", action="store_true")
    a = tsub.add_parser("list", parents=[g], help="unresolved tickets, oldest first (the default)")
    a.add_argument("--all", action="store_true", help="resolved tickets too")
    a.add_argument("--json", action="store_true")
    a = tsub.add_parser("show", parents=[g], help="one ticket, by number or by its device's asset tag")
    a.add_argument("ref", metavar="TICKET|TAG")
    a.add_argument("--json", action="store_true")
    a = tsub.add_parser("open", parents=[g], help="open a ticket for a device in stock; it goes in repair")
    a.add_argument("device", metavar="TAG")
    a.add_argument("--problem", required=True, help="what is wrong")
    a.add_argument("--operator", required=True, metavar="BADGE")
    a.add_argument("--json", action="store_true")
    a = tsub.add_parser("update", parents=[g], help="move a ticket along; add parts and labour costs or a note")
    a.add_argument("ref", metavar="TICKET|TAG")
    a.add_argument("--status", choices=TICKET_STATUSES[1:], help="the ticket's next status")
    a.add_argument("--parts", default="0", metavar="AMOUNT", help="parts cost to add, e.g. 34.50")
    a.add_argument("--labour", "--labor", default="0", metavar="AMOUNT", help="labour cost to add")
    a.add_argument("--vendor", help="where the device was sent")
    a.add_argument("--note", default="", help="a note for the ticket's history")
    a.add_argument("--site", metavar="CODE", help="repaired: where the device is available again; else: move it")
    a.add_argument("--operator", required=True, metavar="BADGE")
    a.add_argument("--json", action="store_true")
    return {"fees": cmd_fees, "policy": cmd_policy, "tickets": cmd_tickets}


def _sign_in(args, config):
    if not args.operator:
        raise BadInput("This changes the records: give --operator BADGE (PIN from KIOSK_PIN or a prompt).")
    from kiosk.cli import _sign_in

    return _sign_in(args.operator, config.station)


def _emit(args, data, lines) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print("\n".join(lines))


# -- fees ----------------------------------------------------------------------


def _words(args, n: int, usage: str) -> list[str]:
    if len(args.words) != n:
        raise BadInput(f"Usage: kiosk fees {usage}")
    return args.words[1:]


def _refuse_options(args, allowed: set[str]) -> None:
    given = {"method": args.method != "cash", "receipt": args.receipt, "fee": args.fee is not None,
             "reason": args.reason, "device": args.device}  # fmt: skip
    wrong = sorted(name for name, value in given.items() if value and name not in allowed)
    if wrong:
        raise BadInput(f"--{wrong[0]} does not apply to `kiosk fees {args.words[0]}`.")


def _fee_row(f) -> str:
    tag = f.asset_tag or "-"
    state = "FREE BREAK" if f.free_break else f.status
    paid = f" paid {money(f.paid_cents)}" if f.paid_cents else ""
    return f"  {f.id:>5}  {f.created}  {f.kind:<9} {tag:<10} {money(f.amount_cents):>10}{paid}  {state}  {f.reason}"


def cmd_fees(args, config) -> int:
    from kiosk.cli import _open
    from kiosk.services import fees

    action = args.words[0]
    _open(args, config)
    if action == "pay":
        student, amount = _words(args, 3, "pay STUDENT AMOUNT --receipt NUMBER --operator BADGE")
        _refuse_options(args, {"method", "receipt", "fee"})
        cents = parse_money(amount, "The amount")
        actor = _sign_in(args, config)
        r = fees.pay(actor, student, cents, method=args.method, receipt=args.receipt or "", fee_id=args.fee)
        ids = ", ".join(str(f.id) for f in r.fees)
        _emit(args, {"student": r.student, "paid_cents": r.paid_cents, "method": r.method, "receipt": r.receipt,
                     "fees": [f.as_json() for f in r.fees], "balance_cents": r.balance_cents},
              [(f"Paid {money(r.paid_cents)} ({r.method}, receipt {r.receipt}) for {r.name} on fee {ids}. "
               f"Balance {money(r.balance_cents)}.")])  # fmt: skip
        return 0
    if action == "waive":
        (fee_id,) = _words(args, 2, "waive FEE_ID --reason TEXT --operator BADGE")
        _refuse_options(args, {"reason"})
        if not fee_id.isdigit():
            raise BadInput(f"{fee_id!r} is not a fee number; `kiosk fees STUDENT` lists them.")
        actor = _sign_in(args, config)
        r = fees.waive(actor, int(fee_id), reason=args.reason or "")
        _emit(args, {"fee": r.fee.as_json(), "waived_cents": r.waived_cents, "balance_cents": r.balance_cents},
              [f"Waived {money(r.waived_cents)} on fee {r.fee.id}. Balance {money(r.balance_cents)}."])  # fmt: skip
        return 0
    if action == "charge":
        student, item = _words(args, 3, "charge STUDENT ACCESSORY --operator BADGE")
        _refuse_options(args, {"device"})
        actor = _sign_in(args, config)
        r = fees.charge_accessory(actor, student, item, config=config, device_code=args.device)
        _emit(args, {"fee": r.fee.as_json(), "message": r.message}, [r.message])
        return 0
    if len(args.words) != 1:
        raise BadInput(f"Usage: {FEES_USAGE}")
    (student,) = args.words
    _refuse_options(args, set())
    s = fees.statement(student, config=config)
    lines = [
        f"{s.name} ({s.student})  owes {money(s.balance_cents)}",
        (
            f"Free breaks left in {s.school_year}: {s.free_breaks_left} of {s.free_breaks_per_year}; "
            f"charged this school year {money(s.charged_this_year_cents)}"
        ),
    ]
    lines += ["Fees:", *(_fee_row(f) for f in s.fees)] if s.fees else ["No fees."]
    if s.payments:
        lines.append("Payments:")
        lines += [f"  {p.at}  fee {p.fee_id}  {money(p.amount_cents):>10}  {p.method}  receipt {p.receipt}  by "
                  f"{p.operator}" for p in s.payments]  # fmt: skip
    _emit(args, s.as_json(), lines)
    return 0


# -- policy --------------------------------------------------------------------


def cmd_policy(args, config) -> int:
    from dataclasses import asdict

    rules = fee_policy(config)
    gaps: tuple[str, ...] = ()
    note = None
    try:
        from kiosk.cli import _open
        from kiosk.services.fees import policy_gaps

        _open(args, config)
        gaps = policy_gaps(config)
    except KioskError as exc:
        note = f"(The catalog was not checked against the policy: {exc.message})"
    data = asdict(rules)
    data["school_year_start"] = "{:02d}-{:02d}".format(*rules.school_year_start)
    data["catalog_gaps"] = list(gaps)
    lines = describe(rules)
    lines += [f"Note: {gap}" for gap in gaps]
    if note:
        lines.append(note)
    _emit(args, data, lines)
    return 0


# -- tickets -------------------------------------------------------------------


def _ticket_lines(t) -> list[str]:
    who = f"{t.student_name} ({t.student})" if t.student else "-"
    lines = [
        f"Ticket {t.id}  {t.asset_tag}  {t.model}  {t.status.replace('_', ' ').upper()}",
        f"  opened {t.opened} by {t.opened_by or '-'}  student {who}  problem: {t.problem or '-'}",
        (
            f"  parts {money(t.parts_cents)}  labour {money(t.labour_cents)}  total {money(t.cost_cents)}"
            f"  device {t.device_status.replace('_', ' ')} at {t.device_site or '-'}"
        ),
    ]
    if t.vendor:
        lines.append(f"  sent to {t.vendor}")
    if t.loaner:
        lines.append(f"  loaner {t.loaner} out to the student")
    if t.resolved:
        lines.append(f"  resolved {t.resolved}")
    lines += [f"  note: {n}" for n in t.notes.splitlines() if n]
    return lines


def _row(t) -> str:
    who = t.student or "-"
    return (f"{t.id:>5}  {t.asset_tag:<10} {t.status.replace('_', ' '):<15} {who:<10} {t.opened}  "
            f"{money(t.cost_cents):>9}  {t.model}")  # fmt: skip


def cmd_tickets(args, config) -> int:
    from kiosk.cli import _open
    from kiosk.services import tickets

    _open(args, config)
    action = args.ticket_action or "list"
    if action == "list":
        found = tickets.list_tickets(include_closed=args.all)
        lines = [_row(t) for t in found] or [("No tickets." if args.all else "No open tickets.")]
        _emit(args, [t.as_json() for t in found], lines)
        return 0
    if action == "show":
        from kiosk.db import unavailable_as_error

        with unavailable_as_error():
            card = tickets.ticket_card(tickets.find_ticket(args.ref))
        _emit(args, card.as_json(), _ticket_lines(card))
        return 0
    actor = _sign_in(args, config)
    if action == "open":
        r = tickets.open_ticket(actor, args.device, problem=args.problem)
        _emit(args, r.ticket.as_json(), [f"Opened ticket {r.ticket.id} for {r.ticket.asset_tag}; it is in repair."])
        return 0
    r = tickets.update_ticket(
        actor,
        args.ref,
        config=config,
        status=args.status,
        parts_cents=parse_money(args.parts, "--parts"),
        labour_cents=parse_money(args.labour, "--labour"),
        vendor=args.vendor,
        note=args.note,
        site=args.site,
    )
    t = r.ticket
    moved = {
        "repaired": f" {t.asset_tag} is available at {t.device_site}.",
        "unrepairable": f" {t.asset_tag} is disposed.",
    }.get(t.status, "")
    loaner = f" The student still holds loaner {t.loaner}." if t.loaner and t.status == "unrepairable" else ""
    _emit(args, t.as_json(), [(f"Ticket {t.id}: {r.previous.replace('_', ' ')} -> {t.status.replace('_', ' ')}, "
                              f"costs {money(t.cost_cents)}.{moved}{loaner}")])  # fmt: skip
    return 0
