"""ISS-5 书面凭证: an issuer's application for a written certificate and its persons.

``WrittenCertificate`` is one application (高管人员及关联企业持股及买卖变动情况 with one of the
seed's reasons, 股东持股及冻结情况, 股本结构); ``CertificatePerson`` the 查询对象 it names
(姓名/名称, 证件号码, 证券账户). Persons are written with the application and never changed:
after the desk accepts it, a new application that ``supplements`` it may only add names.
The signed PDF goes to the mailbox (``MailboxItem``, kind ``C``).
"""
from wechat_hall.extensions import db

from .base import utcnow
from .issuer_portal import APPLICATION_STATUSES, SUBMITTED
from .registry import _in

INSIDERS, HOLDINGS, STRUCTURE = "insiders", "holdings", "structure"
CERTIFICATE_KINDS = {INSIDERS: "高管人员及关联企业持股及买卖变动情况",
                     HOLDINGS: "股东持股及冻结情况", STRUCTURE: "股本结构"}


class WrittenCertificate(db.Model):
    __tablename__ = "issuer_written_certificate"
    __table_args__ = (db.CheckConstraint(_in("kind", CERTIFICATE_KINDS), name="kind"),
                      db.CheckConstraint(_in("status", APPLICATION_STATUSES), name="status"))

    id = db.Column(db.Integer, primary_key=True)
    issuer_id = db.Column(db.Integer, db.ForeignKey("issuer.id"), nullable=False, index=True)
    contact_id = db.Column(db.Integer, db.ForeignKey("issuer_contact.id"), nullable=False)
    security_id = db.Column(db.Integer, db.ForeignKey("security.id"), nullable=False)
    kind = db.Column(db.String(10), nullable=False)
    reason = db.Column(db.String(60), nullable=False, default="")
    as_of = db.Column(db.Date, nullable=False)         # 持股 as of this day
    period_start = db.Column(db.Date)                  # 买卖变动: from … to as_of
    supplements_id = db.Column(db.Integer, db.ForeignKey("issuer_written_certificate.id"))
    note = db.Column(db.String(500), nullable=False, default="")
    code = db.Column(db.String(16), nullable=False, unique=True)  # on the PDF
    status = db.Column(db.String(10), nullable=False, default=SUBMITTED)
    reject_reason = db.Column(db.String(200), nullable=False, default="")
    failure = db.Column(db.String(300), nullable=False, default="")
    reviewed_by_id = db.Column(db.Integer, db.ForeignKey("staff_user.id"))
    reviewed_at = db.Column(db.DateTime)
    delivered_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    issuer = db.relationship("Issuer")
    contact = db.relationship("IssuerContact")
    security = db.relationship("Security")
    reviewed_by = db.relationship("StaffUser")
    supplements = db.relationship("WrittenCertificate", remote_side=[id])
    persons = db.relationship("CertificatePerson", back_populates="certificate",
                              order_by="CertificatePerson.id")

    @property
    def status_label(self):
        return APPLICATION_STATUSES.get(self.status, self.status)

    @property
    def kind_label(self):
        return CERTIFICATE_KINDS.get(self.kind, self.kind)


class CertificatePerson(db.Model):
    """A 查询对象 of a written certificate: written once, never edited."""

    __tablename__ = "issuer_certificate_person"

    id = db.Column(db.Integer, primary_key=True)
    certificate_id = db.Column(db.Integer, db.ForeignKey("issuer_written_certificate.id"),
                               nullable=False, index=True)
    name = db.Column(db.String(80), nullable=False)
    id_number = db.Column(db.String(40), nullable=False)
    account = db.Column(db.String(10), nullable=False, default="")

    certificate = db.relationship("WrittenCertificate", back_populates="persons")
