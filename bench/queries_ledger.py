"""The ledger bench/queries_bench.py measures: one investor (one 一码通) with ``--accounts``
accounts × ``--securities`` securities, and ``--others`` accounts of another investor with
the same density; each position an opening balance a month before the year and
``--changes`` changes on random trading days of the last year, inserted in batches.
"""
import random
from datetime import timedelta


def fill(args):
    """The investor, the other accounts and a year of ledger; returns the investor's user."""
    from models import (
        Broker,
        BrokerBranch,
        CustodianUnit,
        HallUser,
        HoldingChange,
        Investor,
        SecuritiesAccount,
        Security,
        YmtAccount,
    )
    from wechat_hall import clock
    from wechat_hall.extensions import db
    from wechat_hall.services.queries import trading_days

    rng = random.Random(7)
    broker = Broker(code="BENCH", name="基准证券")
    branch = BrokerBranch(broker=broker, code="0001", name="基准证券上海营业部")
    unit = CustodianUnit(market="SH", code="39999", name="基准证券上海营业部", broker=broker)
    investor = Investor(name="王基准", id_type="resident_id", id_number="110101199001010011")
    ymt = YmtAccount(number="189000000001", investor=investor, branch=branch)
    others_inv = Investor(name="其他", id_type="resident_id", id_number="110101199001010022")
    others_ymt = YmtAccount(number="189000000002", investor=others_inv, branch=branch)
    db.session.add_all([unit, ymt, others_ymt])
    securities = [Security(market="SH", code=f"{600000 + i:06d}", name=f"基准{i:03d}")
                  for i in range(args.securities)]
    mine = [SecuritiesAccount(number=f"A{800000000 + i:09d}", market="SH", ymt_account=ymt,
                              branch=branch) for i in range(args.accounts)]
    others = [SecuritiesAccount(number=f"A{810000000 + i:09d}", market="SH",
                                ymt_account=others_ymt, branch=branch)
              for i in range(args.others)]
    db.session.add_all(securities + mine + others)
    user = HallUser(phone="13999999999", ymt_account=ymt, activated_at=clock.utcnow(),
                    password_hash="x")
    db.session.add(user)
    db.session.commit()

    today = clock.today()
    days = list(trading_days.trading_days(trading_days.years_back(today, 1), today))
    opening = trading_days.years_back(today, 1) - timedelta(days=30)
    rows, n = [], 0
    table = HoldingChange.__table__
    total = 0
    for account in mine + others:
        for security in securities:
            held = rng.randint(1, 50) * 100
            rows.append(dict(account_id=account.id, security_id=security.id, unit_id=unit.id,
                             trade_date=opening, seq=0, kind="opening", quantity=held,
                             zqlb="PT", ltlx="0", qylb="", gpnf=0, qycs=0, gfxz="无限售流通股",
                             source="bench", ref=str(n), created_at=clock.utcnow()))
            n += 1
            for day in sorted(rng.sample(days, min(args.changes, len(days)))):
                qty = rng.randint(1, 20) * 100
                if rng.random() < 0.5 and held > qty:
                    qty = -qty
                held += qty
                rows.append(dict(account_id=account.id, security_id=security.id,
                                 unit_id=unit.id, trade_date=day, seq=n % 5,
                                 kind="buy" if qty > 0 else "sell", quantity=qty, zqlb="PT",
                                 ltlx="0", qylb="", gpnf=0, qycs=0, gfxz="无限售流通股",
                                 source="bench", ref=str(n), created_at=clock.utcnow()))
                n += 1
            if len(rows) >= 20000:
                db.session.execute(table.insert(), rows)
                total += len(rows)
                rows = []
        db.session.commit()
    if rows:
        db.session.execute(table.insert(), rows)
        total += len(rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return user.id, total, days
