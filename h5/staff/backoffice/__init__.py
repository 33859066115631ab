"""The back office at /admin (Flask-Admin 2), one module per domain: halls (APT), staff
users, voting (V), customer service (CS). ``base`` holds what every view shares.

Only staff with the admin role get in; everyone else is sent to the login page or shown
the staff 403 page, the index view included. Every form is a SecureForm (``forms``).
"""
from pathlib import Path

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from models import (
    BookingSlot,
    BusinessType,
    CalendarDay,
    HallCounter,
    Office,
    SlotTemplate,
    StaffUser,
    VoteHolding,
    VoteItem,
    VoteMeeting,
    VoteProposal,
)
from wechat_hall.extensions import db
from wechat_hall.headers import csp_nonce

from . import support
from .base import BackOfficeHome
from .halls import (
    BookingSlotView,
    BusinessTypeView,
    CalendarDayView,
    HallCounterView,
    OfficeView,
    SlotTemplateView,
)
from .staff_users import StaffUserView
from .voting import (
    VoteHoldingView,
    VoteItemView,
    VoteMeetingView,
    VoteProposalView,
    VoteResultsView,
)

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def _init_babel(app):
    """Flask-Admin's own Chinese (its zh_Hans_CN catalogue) when Flask-Babel is present."""
    try:
        from flask_babel import Babel
    except ImportError:  # Flask-Admin falls back to English for its own words
        return
    if "babel" not in app.extensions:
        Babel(app, locale_selector=lambda: "zh_Hans_CN")


def init_app(app):
    """One Admin per app (tests build many apps), so views never share blueprints."""
    _init_babel(app)
    admin = Admin(name="后台管理", url="/admin", translations_path=str(TRANSLATIONS),
                  index_view=BackOfficeHome(name="概览", url="/admin"),
                  theme=Bootstrap4Theme(base_template="staff/admin/base.html"),
                  csp_nonce_generator=csp_nonce)
    admin.add_view(OfficeView(Office, db, name="办理地区/网点", endpoint="office"))
    admin.add_view(BusinessTypeView(BusinessType, db, name="业务类型",
                                    endpoint="businesstype"))
    admin.add_view(SlotTemplateView(SlotTemplate, db, name="预约时段",
                                    endpoint="slottemplate"))
    admin.add_view(CalendarDayView(CalendarDay, db, name="节假日与调休", endpoint="calendarday"))
    admin.add_view(BookingSlotView(BookingSlot, db, name="号源", endpoint="bookingslot"))
    admin.add_view(HallCounterView(HallCounter, db, name="柜台窗口", endpoint="hallcounter"))
    admin.add_view(StaffUserView(StaffUser, db, name="员工账号", endpoint="staffuser"))
    admin.add_view(VoteMeetingView(VoteMeeting, db, name="持有人会议", endpoint="votemeeting",
                                   category="网络投票"))
    admin.add_view(VoteProposalView(VoteProposal, db, name="议案", endpoint="voteproposal",
                                    category="网络投票"))
    admin.add_view(VoteItemView(VoteItem, db, name="子议案/候选人", endpoint="voteitem",
                                category="网络投票"))
    admin.add_view(VoteHoldingView(VoteHolding, db, name="持有人名册", endpoint="voteholding",
                                   category="网络投票"))
    admin.add_view(VoteResultsView(name="投票结果", endpoint="voteresults", url="/admin/vote-results",
                                   category="网络投票"))
    support.add_views(admin)
    admin.init_app(app)
    return admin
