"""ISS-2 scheduled pushes (seed 002, 每月定期自动推送名册情况).

On the 10th and the 20th of each month — the previous trading day when that day is not
one — and on the last trading day of the month, every issuer's mailbox receives, with
that day as the record date: T2 and T3 of 无限售流通股前100名 (class 01, top 100) and of
全部证券类型前200名 (class 03, top 200) for its shares, T6 for its bonds; and at each
quarter's end (the last trading day of March, June, September, December) the B 股全体名册
of its B shares. Each file is made once (``MailboxItem.push_key``).
"""
import calendar
import logging
from datetime import date, time

from models import IssuerSecurity, MailboxItem
from models.securities import B_STOCK
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs import periodic
from wechat_hall.services.queries import trading_days

from . import mailbox, registers

log = logging.getLogger(__name__)
SHARE_PUSHES = [("T2", "01", 100), ("T2", "03", 200), ("T3", "01", 100), ("T3", "03", 200)]
AFTER_CLOSE = time(15, 30)


def push_days(year, month):
    """The month's push days, in order, without repeats."""
    last = date(year, month, calendar.monthrange(year, month)[1])
    days = {trading_days.previous_trading_day(date(year, month, d)) for d in (10, 20)}
    days.add(trading_days.previous_trading_day(last))
    return sorted(d for d in days if d.month == month)


def is_quarter_end(day):
    """The last trading day of a quarter."""
    if day.month not in (3, 6, 9, 12):
        return False
    last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return trading_days.previous_trading_day(last) == day


def pushes_for(security, day):
    """(kind, class, top) of the registers of ``security`` due on ``day``."""
    if day not in push_days(day.year, day.month):
        return []
    if security.kind in registers.BOND_KINDS:
        return [("T6", None, None)]
    found = list(SHARE_PUSHES) if security.kind != B_STOCK else []
    if security.kind == B_STOCK and is_quarter_end(day):
        found.append(("B", "03", None))
    return found


def run_day(day):
    """Deliver the day's pushes to every issuer (once each); returns the new items."""
    made = []
    links = db.session.execute(db.select(IssuerSecurity)).scalars().all()
    for link in links:
        for kind, xx, top in pushes_for(link.security, day):
            key = f"{kind}:{link.security_id}:{xx or '-'}:{top or 'all'}:{day:%Y%m%d}"
            if db.session.execute(db.select(MailboxItem.id).filter_by(push_key=key)).first():
                continue
            try:
                req = registers.check_request(kind, link.security.code, day.isoformat(),
                                              top=top, xx=xx, market=link.security.market)
                made.append(mailbox.deliver(link.issuer_id, req, source="scheduled",
                                            push_key=key))
                db.session.commit()
            except registers.RegisterRefused as exc:  # no holders that day: nothing to send
                db.session.rollback()
                log.info("no scheduled %s of %s on %s: %s", kind, link.security, day, exc)
    return made


@periodic("issuers.scheduled_pushes", 600)
def scheduled_pushes():
    """After the close of a push day, deliver its registers."""
    now = clock.local_now()
    if now.time() >= AFTER_CLOSE and trading_days.is_trading_day(now.date()):
        run_day(now.date())
