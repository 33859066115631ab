"""SQLAlchemy models. Importing this package registers every table."""
from wechat_hall.extensions import db  # noqa: F401

from .follower import Follower  # noqa: F401
from .wechat_push import WechatPushMark  # noqa: F401
from .staff import StaffUser, ROLES  # noqa: F401
from .office import Office, BusinessType, SlotTemplate  # noqa: F401
from .outbox import JobEffect, OutboxJob  # noqa: F401
from .dev_message import DevMessage, DevAttachment  # noqa: F401
from .simulator import SimToken, SimMenu, SimUser, SimPush, SimOutbound, SimOAuthCode  # noqa: F401
from .registry import (Broker, BrokerBranch, Investor, YmtAccount, SecuritiesAccount,  # noqa: F401
                       DemoBankCard)
from .accounts import (HallUser, AgreementAcceptance, PhoneChange,  # noqa: F401
                       IdentityVerification, TradeFeedOrder)
from .support import (CsQueue, CsAgent, CsRule, CsKnowledge, CsCannedReply,  # noqa: F401
                      CsBusinessHours, CsConversation, CsMessage, cs_agent_queue)
from .voting import (VoteMeeting, VoteProposal, VoteItem, VoteHolding, VoteChain,  # noqa: F401
                     VoteBallot, VoteBallotLine, VoteSplitDraft)
from .securities import (Security, CustodianUnit, HoldingChange, Freeze,  # noqa: F401
                         IpoSubscription, Dividend)
from .certificates import CertificateRequest, CertificateQuota  # noqa: F401
from .calendar import CalendarDay, CalendarNoticeDay  # noqa: F401
from .appointment import BookingSlot, Appointment  # noqa: F401
from .hall_queue import HallCounter, QueueNumber, Ticket  # noqa: F401
from .issuers import (HolderProfile, CollateralAccount, CollateralLink,  # noqa: F401
                      RepurchaseAgreement, RepoPledge, MajorHolderRun, MajorHolderDay,
                      MajorHolderChange)
from .issuer_portal import (Issuer, IssuerSecurity, IssuerContact,  # noqa: F401
                            IssuerApplication, ApplicationAttachment, MailboxItem,
                            RegisterAccess, FeeAccount, FeeEntry, AlertPhone,
                            AlertSubscription, AlertDelivery)
from .issuer_certificates import WrittenCertificate, CertificatePerson  # noqa: F401
from .issuer_insiders import IssuerInsider  # noqa: F401
