"""ISS-4 前端自助查询 pages (9:30–15:00 on trading days; data as of yesterday)."""
from flask import Blueprint, render_template, request

from wechat_hall.services.issuers import contacts, portal_hours, self_service

from .access import contact_required

bp = Blueprint("issuer_queries", __name__, url_prefix="/issuer/queries")

TITLES = {"holders": "股东户数查询", "freezes": "证券质押/司法冻结情况查询",
          "structure": "股本结构查询", "transfers": "非流通股非交易过户查询"}
ANSWERS = {"holders": self_service.holder_count, "freezes": self_service.freezes,
           "structure": self_service.share_structure,
           "transfers": self_service.non_trade_transfers}


def _page(contact, what):
    securities, security, error = contacts.chosen_security(contact.issuer_id,
                                                           request.args.get("code", "")[:10])
    closed = portal_hours.self_service_closed()
    day = self_service.as_of()
    answer = ANSWERS[what](security, day) if security and not closed and not error else None
    return render_template("issuers/query.html", contact=contact, securities=securities,
                           security=security, what=what, title=TITLES[what], titles=TITLES,
                           day=day, closed=closed, error=error, answer=answer)


@bp.get("/holders")
@contact_required
def holders(contact):
    return _page(contact, "holders")


@bp.get("/freezes")
@contact_required
def freezes(contact):
    return _page(contact, "freezes")


@bp.get("/structure")
@contact_required
def structure(contact):
    return _page(contact, "structure")


@bp.get("/transfers")
@contact_required
def transfers(contact):
    return _page(contact, "transfers")
