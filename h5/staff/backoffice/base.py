"""What every back-office view shares: admin-only access, SecureForm, no deletes, and one
way of turning failures into a Chinese message (Flask-Admin then rolls back).

Nothing is deleted in the back office: offices, business types, slots, queues and staff
are switched off (启用) instead, because bookings, tickets and conversations point at them.
"""
import logging

from flask import flash
from flask_admin import AdminIndexView, expose
from flask_admin.contrib.sqla import ModelView
from sqlalchemy import BigInteger
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from wtforms.validators import ValidationError

from h5.staff.access import forbidden, signed_in_staff
from models import (
    BookingSlot,
    BusinessType,
    CalendarDay,
    HallCounter,
    Office,
    SlotTemplate,
    StaffUser,
)
from wechat_hall import clock
from wechat_hall.extensions import db, login_manager
from wechat_hall.services.accounts import lockout, staff_users
from wechat_hall.services.errors import Rejected

from .forms import AdminForm

log = logging.getLogger(__name__)
# No list of the back office has a million pages (or a million columns).
MAX_PAGE = 1_000_000


def local_time(value):
    """Stored naive UTC → the hall's local time, as staff read it."""
    return clock.format_local(value)


def when(view, context, model, name):
    """Column formatter: a stored UTC time in the hall's local time."""
    return local_time(getattr(model, name))


class AdminOnly:
    """Mixed into every back-office view, the index included."""

    def is_accessible(self):
        user = signed_in_staff()
        return user is not None and "admin" in user.role_set

    def inaccessible_callback(self, name, **kwargs):
        if signed_in_staff() is None:
            return login_manager.unauthorized()
        return forbidden()


class BackOfficeHome(AdminOnly, AdminIndexView):
    @expose("/")
    def index(self):
        counts = [
            ("办理地区/网点", "office.index_view", db.session.query(Office).count()),
            ("业务类型", "businesstype.index_view", db.session.query(BusinessType).count()),
            ("预约时段", "slottemplate.index_view", db.session.query(SlotTemplate).count()),
            ("节假日与调休", "calendarday.index_view", db.session.query(CalendarDay).count()),
            ("号源（按日期）", "bookingslot.index_view", db.session.query(BookingSlot).count()),
            ("柜台窗口", "hallcounter.index_view", db.session.query(HallCounter).count()),
            ("员工账号", "staffuser.index_view", db.session.query(StaffUser).count()),
        ]
        locked = [u for u in db.session.query(StaffUser).order_by(StaffUser.username)
                  if lockout.minutes_left(u)]
        return self.render("staff/admin/index.html", counts=counts, locked=locked,
                           local_time=local_time)


class BackOfficeView(AdminOnly, ModelView):
    form_base_class = AdminForm
    can_delete = False
    can_view_details = False
    can_export = False
    page_size = 50
    column_display_pk = False
    form_widget_args = {}

    def check(self, model):
        """Cross-row rules from the services; they raise ``Rejected``."""

    def get_one(self, id):
        """No row for an id that is not a number of the id column's range (every
        back-office table has an integer id): Flask-Admin then says the record does not
        exist, where PostgreSQL would refuse ``?id=junk`` or an id past INTEGER's range
        (found by the route fuzz: ``?id=254078749155``) with a 500."""
        text = str(id)
        if not (text.isascii() and text.isdigit()) or int(text) > self._largest_id():
            return None
        return super().get_one(id)

    def _largest_id(self):
        column = self.model.__mapper__.primary_key[0]
        return 2**63 - 1 if isinstance(column.type, BigInteger) else 2**31 - 1

    def _get_list_extra_args(self):
        """The list's numeric arguments kept in range, for every list at once: ``?page=-5``
        is the first page (PostgreSQL refuses a negative OFFSET) and ``?page=10**20`` the
        last one there can be (an OFFSET past PostgreSQL's bigint is a 500); a sort column
        out of range is no sort."""
        args = super()._get_list_extra_args()
        args.page = min(max(args.page or 0, 0), MAX_PAGE)
        args.page_size = min(max(args.page_size or 0, 0), MAX_PAGE)
        if args.sort is not None and not 0 <= args.sort < MAX_PAGE:
            args.sort = None
        return args

    def on_model_change(self, form, model, is_created):
        try:
            self.check(model)
        except (Rejected, staff_users.StaffRuleViolation,
                staff_users.PasswordRejected) as exc:
            raise ValidationError(str(exc))

    def handle_view_exception(self, exc):
        """Every failure becomes a Chinese message; Flask-Admin then rolls back."""
        if isinstance(exc, ValidationError):
            flash(str(exc), "error")
            return True
        if isinstance(exc, IntegrityError):
            log.warning("back office integrity error: %s", exc)
            flash("保存失败：与已有记录冲突（例如代码或名称重复），本次未做任何修改。", "error")
            return True
        if isinstance(exc, SQLAlchemyError):
            log.exception("back office database error")
            flash("保存失败：数据库拒绝了本次修改，未做任何修改，请检查输入后重试。", "error")
            return True
        if super().handle_view_exception(exc):  # raises instead when the app is in debug
            return True
        log.exception("back office error")
        flash("操作失败：系统暂时无法处理，本次未做任何修改，请稍后重试。", "error")
        return True
