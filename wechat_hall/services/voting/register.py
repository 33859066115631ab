"""The meeting's register on the record date (V-2), from the T1 holder register file
(DBF or CSV, read by ``adapters.holder_register``) or from the hall's own ledger
(``register_from_ledger``, the T1 of ISS-1), aggregated per securities account.

An import is all or nothing: every bad record, a record of another security or a
fractional holding refuses the whole file, and nothing changes. A new import replaces the
previous one, until the first ballot is cast; after that the register is fixed.

``--under ACCOUNT`` imports the underlying holders (明细账户) of a credit or nominee
account: the file lists them the same way, and their total may not exceed the account's
holding.

Accounts that vote per underlying holder (``split``, V-7): credit collateral accounts
(信用账户 of an institution in the registry: 融资融券/转融通担保), QFII/RQFII holders
(持有人类别 third digit 1 or 2), 香港中央结算有限公司 (沪股通/深股通), and the
accounts listed in ``VOTE_NOMINEE_ACCOUNTS``.
"""
import csv
import io
from collections import OrderedDict

from flask import current_app
from sqlalchemy import delete, insert

from models import (
    Investor,
    SecuritiesAccount,
    Security,
    VoteBallot,
    VoteHolding,
    YmtAccount,
)
from models.registry import CREDIT, INSTITUTION
from wechat_hall import clock
from wechat_hall.adapters.holder_register import RegisterError, read_register
from wechat_hall.extensions import db

NOMINEE_NAMES = ("香港中央结算有限公司", "香港中央結算有限公司")


def _credit_institution_accounts():
    rows = db.session.execute(
        db.select(SecuritiesAccount.number).join(YmtAccount).join(Investor)
        .where(SecuritiesAccount.kind == CREDIT, Investor.holder_type == INSTITUTION))
    return {number for (number,) in rows}


def _configured_nominees():
    raw = current_app.config.get("VOTE_NOMINEE_ACCOUNTS") or ""
    return {part.strip().upper() for part in raw.replace(";", ",").split(",") if part.strip()}


def is_split(account, name, category, credit_accounts, nominees):
    return (account in credit_accounts or account in nominees or name in NOMINEE_NAMES
            or (len(category) == 4 and category[2] in "12"))


def aggregate(meeting, rows):
    """Rows of one security → {account: dict}, or RegisterError listing the problems."""
    errors, holders = [], OrderedDict()
    for row in rows:
        if row.security_code != meeting.security_code:
            errors.append(f"第 {row.record} 条记录：证券代码 {row.security_code} 不是本次会议的证券"
                          f" {meeting.security_code}")
            continue
        if row.quantity != row.quantity.to_integral_value():
            errors.append(f"第 {row.record} 条记录：持有数量 {row.quantity} 不是整数")
            continue
        entry = holders.get(row.account)
        if entry is None:
            holders[row.account] = dict(account=row.account, name=row.name,
                                        id_number=row.id_number[:40],
                                        holder_category=row.holder_category,
                                        quantity=int(row.quantity))
        else:
            entry["quantity"] += int(row.quantity)
    if errors:
        raise RegisterError(errors)
    return holders


def _no_ballots_yet(meeting):
    if db.session.execute(db.select(VoteBallot.id).filter_by(meeting_id=meeting.id)
                          .limit(1)).first():
        raise RegisterError(["本次会议已有投票，持有人名册不能再更换"])


def import_register(meeting, path, parent=None, progress=None):
    """Replace the meeting's register (or one account's underlying holders) with the
    file's; returns (records read, accounts). Commits."""
    _no_ballots_yet(meeting)
    rows = read_register(path, progress)
    holders = aggregate(meeting, rows)
    records = len(rows)
    del rows  # a million parsed records: free them before the COPY buffer is built
    parent = (parent or "").strip().upper()
    if parent:
        owner = db.session.execute(db.select(VoteHolding).filter_by(
            meeting_id=meeting.id, parent_account="", account=parent)).scalar_one_or_none()
        if owner is None or not owner.split:
            raise RegisterError([f"{parent} 不是本次会议名册中的信用或名义持有人账户"])
        total = sum(h["quantity"] for h in holders.values())
        if total > owner.quantity:
            raise RegisterError([f"明细账户合计 {total:,} 股，超过 {parent} 的持有数量 "
                                 f"{owner.quantity:,} 股"])
        for h in holders.values():
            h.update(split=False)
    _replace(meeting, holders, parent, str(path)[-255:])
    return records, len(holders)


def register_from_ledger(meeting):
    """Replace the meeting's register with the holders on the ledger at the end of its
    record date — the T1 register the hall generates itself (ISS-1: credit accounts shown
    under their collateral account, which votes per underlying holder). Returns (T1
    records, accounts). Commits."""
    from wechat_hall.services.issuers import ledger
    _no_ballots_yet(meeting)
    securities = db.session.execute(db.select(Security).filter_by(
        code=meeting.security_code)).scalars().all()
    if len(securities) != 1:
        raise RegisterError([f"登记数据中没有唯一的证券 {meeting.security_code}，请导入名册文件"])
    holders, records = OrderedDict(), 0
    for row in ledger.t1_rows(securities[0].id, meeting.record_date):
        records += 1
        entry = holders.get(row.account)
        if entry is None:
            holders[row.account] = {"account": row.account, "name": row.name[:128],
                                    "id_number": row.id_number[:40],
                                    "holder_category": ledger.holder_category(row),
                                    "quantity": int(row.quantity)}
        else:
            entry["quantity"] += int(row.quantity)
    if not holders:
        raise RegisterError([f"{securities[0]} 在权益登记日 {meeting.record_date} 无持有人"])
    _replace(meeting, holders, "", f"登记数据（权益登记日 {meeting.record_date}）")
    return records, len(holders)


def _replace(meeting, holders, parent, source):
    if not parent:
        credit, nominees = _credit_institution_accounts(), _configured_nominees()
        for h in holders.values():
            h.update(split=is_split(h["account"], h["name"], h["holder_category"], credit,
                                    nominees))
    for h in holders.values():
        h.update(meeting_id=meeting.id, parent_account=parent)
    db.session.execute(delete(VoteHolding).where(VoteHolding.meeting_id == meeting.id,
                                                 VoteHolding.parent_account == parent))
    if not parent:  # a new register: the old underlying lists go with it
        db.session.execute(delete(VoteHolding).where(VoteHolding.meeting_id == meeting.id))
    _bulk_insert(list(holders.values()))
    if not parent:
        meeting.register_file = source
        meeting.register_rows = len(holders)
        meeting.register_imported_at = clock.utcnow()
    db.session.commit()


COLUMNS = ["meeting_id", "parent_account", "account", "name", "id_number", "holder_category",
           "quantity", "split"]


def _bulk_insert(rows):
    if not rows:
        return
    if db.engine.dialect.name == "postgresql":
        _copy(rows)
        return
    for start in range(0, len(rows), 20_000):
        db.session.execute(insert(VoteHolding), rows[start:start + 20_000])


def _copy(rows):
    """PostgreSQL COPY (CSV format, written by the C csv writer) in the session's
    transaction: a million rows in seconds."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows((r["meeting_id"], r["parent_account"], r["account"], r["name"],
                      r["id_number"], r["holder_category"], r["quantity"],
                      "t" if r["split"] else "f") for r in rows)
    buffer.seek(0)
    raw = db.session.connection().connection
    with raw.cursor() as cursor:
        cursor.copy_expert(f"COPY vote_holding ({', '.join(COLUMNS)}) FROM STDIN "
                           "WITH (FORMAT csv, FORCE_NOT_NULL (parent_account, name, id_number, "
                           "holder_category))", buffer)


def underlying(meeting_id, parent):
    """{account: VoteHolding} of a split account's imported underlying holders."""
    rows = db.session.execute(db.select(VoteHolding).filter_by(
        meeting_id=meeting_id, parent_account=parent)).scalars()
    return {row.account: row for row in rows}
