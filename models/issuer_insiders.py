"""董监高 (directors, supervisors and senior managers) as their issuer declares them (ISS-4).

The seed: 董监高持股 queries show "之前向交易所报送的董监高账户及对应限售情况" — the data
comes from the issuer's own declaration, and is only as right as it. A declared person
is matched to the register by 证件类别 + 证件号码 (an investor of the registry); every
account of that investor's 一码通 counts. A removal keeps the row (``removed_at``) so the
history of who was declared stays readable.
"""
from wechat_hall.extensions import db

from .base import utcnow

# IssuerInsider.title (职务), as the exchanges' 董监高 declarations name them
INSIDER_TITLES = ("董事长", "董事", "独立董事", "监事会主席", "监事", "总经理", "副总经理",
                  "财务总监", "董事会秘书", "其他高级管理人员")


class IssuerInsider(db.Model):
    __tablename__ = "issuer_insider"
    __table_args__ = (db.Index("ix_issuer_insider_issuer_person", "issuer_id", "id_type",
                               "id_number"),)

    id = db.Column(db.Integer, primary_key=True)
    issuer_id = db.Column(db.Integer, db.ForeignKey("issuer.id"), nullable=False)
    name = db.Column(db.String(40), nullable=False)
    title = db.Column(db.String(20), nullable=False)
    id_type = db.Column(db.String(32), nullable=False)
    id_number = db.Column(db.String(40), nullable=False)
    declared_by_id = db.Column(db.Integer, db.ForeignKey("issuer_contact.id"), nullable=False)
    declared_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    removed_at = db.Column(db.DateTime)

    declared_by = db.relationship("IssuerContact")
