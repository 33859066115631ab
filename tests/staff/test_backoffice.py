"""The back office as an admin uses it: forms with CSRF, Chinese refusals, nothing half-written."""
import re
from datetime import time, timedelta

import pytest

from models import BusinessType, Office, SlotTemplate, StaffUser
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db

from tests.staff.staff_helpers import PASSWORDS, StaffBrowser, csrf_from, get_staff


@pytest.fixture
def office_id(app):
    with app.app_context():
        office = Office(code="SH", region="上海", name="上海业务受理大厅", booking_notice="旧说明")
        db.session.add(office)
        db.session.flush()
        db.session.add(BusinessType(office_id=office.id, code="PLEDGE", name="质押业务",
                                    ticket_prefix="A"))
        db.session.add(SlotTemplate(office_id=office.id, start_time=time(8, 30),
                                    end_time=time(9, 29, 59), capacity=10))
        db.session.commit()
        return office.id


@pytest.fixture
def admin(app, client, accounts):
    browser = StaffBrowser(client)
    assert browser.login("admin", PASSWORDS["admin"]).status_code == 302
    return browser


def count(app, model, **filters):
    with app.app_context():
        return db.session.query(model).filter_by(**filters).count()


def text(resp):
    return resp.get_data(as_text=True)


# --- Staff accounts ----------------------------------------------------------------

def test_creating_staff_hashes_the_password(app, admin, office_id):
    resp = admin.submit("/admin/staffuser/new/", {
        "username": "zhao", "display_name": "柜台小赵", "office": str(office_id),
        "roles": ["counter", "kiosk"], "password": "Zhao@2026x", "active": "y"})
    assert resp.status_code == 302, text(resp)
    user = get_staff(app, "zhao")
    assert user.roles == "counter kiosk"
    assert user.office_id == office_id
    assert user.password_hash != "Zhao@2026x" and "Zhao@2026x" not in user.password_hash
    assert user.check_password("Zhao@2026x")
    # The new account can sign in.
    assert StaffBrowser(app.test_client()).login("zhao", "Zhao@2026x").status_code == 302


def test_password_hash_is_never_shown(app, admin, accounts):
    hash_ = get_staff(app, "agent").password_hash
    for path in ("/admin/staffuser/", f"/admin/staffuser/edit/?id={accounts['agent']}",
                 "/admin/staffuser/new/"):
        page = text(admin.client.get(path))
        assert hash_ not in page
        assert "password_hash" not in page
        assert not re.search(r"(scrypt|pbkdf2):", page)


def test_weak_or_missing_password_is_refused(app, admin):
    resp = admin.submit("/admin/staffuser/new/", {
        "username": "weak", "display_name": "弱密码", "roles": ["agent"], "password": "123"})
    assert resp.status_code == 200
    assert "密码长度须为8-16位" in text(resp)
    resp = admin.submit("/admin/staffuser/new/", {
        "username": "nopass", "display_name": "无密码", "roles": ["agent"], "password": ""})
    assert "请设置初始密码" in text(resp)
    assert count(app, StaffUser, username="weak") == 0
    assert count(app, StaffUser, username="nopass") == 0


def test_staff_needs_a_role_and_a_unique_valid_username(app, admin):
    resp = admin.submit("/admin/staffuser/new/", {
        "username": "norole", "display_name": "x", "password": "Norole@2026"})
    assert "请至少选择一个角色" in text(resp)
    resp = admin.submit("/admin/staffuser/new/", {
        "username": "bad name!", "display_name": "x", "roles": ["agent"],
        "password": "Badname@2026"})
    assert "用户名须为2-64位" in text(resp)
    resp = admin.submit("/admin/staffuser/new/", {
        "username": "agent", "display_name": "x", "roles": ["agent"],
        "password": "Agent2@2026"})
    assert resp.status_code == 200 and "已经存在" in text(resp)
    assert count(app, StaffUser) == 4


def test_unknown_role_is_refused(app, admin):
    resp = admin.submit("/admin/staffuser/new/", {
        "username": "root", "display_name": "x", "roles": ["superuser"],
        "password": "Root@20266"})
    assert resp.status_code == 200
    assert count(app, StaffUser, username="root") == 0


def test_edit_keeps_password_when_left_blank_and_changes_it_when_given(app, admin, accounts):
    url = f"/admin/staffuser/edit/?id={accounts['agent']}"
    form = text(admin.client.get(url))
    assert 'value="agent" checked' in form or re.search(r'checked[^>]*value="agent"', form) \
        or re.search(r'value="agent"[^>]*checked', form)
    before = get_staff(app, "agent").password_hash
    resp = admin.submit(url, {"username": "agent", "display_name": "客服小王",
                              "roles": ["agent"], "password": "", "active": "y"})
    assert resp.status_code == 302, text(resp)
    assert get_staff(app, "agent").password_hash == before
    resp = admin.submit(url, {"username": "agent", "display_name": "客服小王",
                              "roles": ["agent", "counter"], "password": "NewPass@2026",
                              "active": "y"})
    assert resp.status_code == 302
    user = get_staff(app, "agent")
    assert user.check_password("NewPass@2026") and user.roles == "agent counter"


def test_admin_cannot_drop_own_admin_role_or_deactivate_self(app, admin, accounts):
    url = f"/admin/staffuser/edit/?id={accounts['admin']}"
    resp = admin.submit(url, {"username": "admin", "display_name": "管理员",
                              "roles": ["agent"], "active": "y"})
    assert "不能取消自己的管理员角色" in text(resp)
    resp = admin.submit(url, {"username": "admin", "display_name": "管理员",
                              "roles": ["admin"]})  # active unticked
    assert "不能停用自己的账号" in text(resp)
    user = get_staff(app, "admin")
    assert user.roles == "admin" and user.active
    # Still an admin: the back office still opens.
    assert admin.client.get("/admin/").status_code == 200


def test_admin_may_deactivate_another_account(app, admin, accounts):
    url = f"/admin/staffuser/edit/?id={accounts['kiosk']}"
    resp = admin.submit(url, {"username": "kiosk", "display_name": "取号机",
                              "roles": ["kiosk"]})
    assert resp.status_code == 302
    assert not get_staff(app, "kiosk").active
    page = text(StaffBrowser(app.test_client()).login("kiosk", PASSWORDS["kiosk"]))
    assert "账号已停用" in page


def test_reset_lockout_from_the_edit_form(app, admin, accounts):
    with app.app_context():
        user = db.session.get(StaffUser, accounts["agent"])
        user.locked_until = utcnow() + timedelta(minutes=15)
        user.failed_logins = 3
        db.session.commit()
    assert "锁定中" in text(admin.client.get("/admin/staffuser/"))
    assert "agent" in text(admin.client.get("/admin/"))  # listed as locked on the overview
    url = f"/admin/staffuser/edit/?id={accounts['agent']}"
    resp = admin.submit(url, {"username": "agent", "display_name": "客服小王",
                              "roles": ["agent"], "active": "y", "reset_lock": "y"})
    assert resp.status_code == 302
    user = get_staff(app, "agent")
    assert user.locked_until is None and user.failed_logins == 0
    assert StaffBrowser(app.test_client()).login("agent", PASSWORDS["agent"]).status_code == 302


def test_unlock_action(app, admin, accounts):
    with app.app_context():
        user = db.session.get(StaffUser, accounts["counter"])
        user.locked_until = utcnow() + timedelta(minutes=15)
        db.session.commit()
    resp = admin.submit("/admin/staffuser/", {"action": "unlock",
                                              "rowid": [str(accounts["counter"])]},
                        post_url="/admin/staffuser/action/")
    assert resp.status_code == 302
    assert get_staff(app, "counter").locked_until is None


# --- Offices, business types, slots ------------------------------------------------

def test_edit_office_booking_notice(app, admin, office_id):
    url = f"/admin/office/edit/?id={office_id}"
    form = text(admin.client.get(url))
    assert "预约说明" in form and "旧说明" in form
    resp = admin.submit(url, {"code": "SH", "region": "上海", "name": "上海业务受理大厅",
                              "address": "", "phone": "", "booking_notice": "请提前十分钟到达。",
                              "active": "y"})
    assert resp.status_code == 302, text(resp)
    with app.app_context():
        assert db.session.get(Office, office_id).booking_notice == "请提前十分钟到达。"


def test_office_code_rules(app, admin, office_id):
    resp = admin.submit("/admin/office/new/", {"code": "sh-1", "region": "上海", "name": "x"})
    assert "地区代码须为2-16位大写字母或数字" in text(resp)
    resp = admin.submit("/admin/office/new/", {"code": "SH", "region": "上海", "name": "x"})
    assert resp.status_code == 200 and "已经存在" in text(resp)
    assert count(app, Office) == 1


def test_create_business_type(app, admin, office_id):
    resp = admin.submit("/admin/businesstype/new/", {
        "office": str(office_id), "code": "TRANSFER", "name": "非交易过户",
        "ticket_prefix": "C", "notice": "请携带过户申请表。", "sort_order": "2", "active": "y"})
    assert resp.status_code == 302, text(resp)
    assert count(app, BusinessType, code="TRANSFER", ticket_prefix="C") == 1


@pytest.mark.parametrize("prefix", ["a", "ABC", "1", "A1", ""])
def test_ticket_prefix_must_be_one_or_two_capitals(app, admin, office_id, prefix):
    resp = admin.submit("/admin/businesstype/new/", {
        "office": str(office_id), "code": "QUERY", "name": "证券查询",
        "ticket_prefix": prefix, "sort_order": "0"})
    assert resp.status_code == 200
    assert "取号前缀须为1-2位大写英文字母" in text(resp) or "必填" in text(resp)
    assert count(app, BusinessType, code="QUERY") == 0


def test_duplicate_code_or_prefix_in_one_office_is_refused(app, admin, office_id):
    resp = admin.submit("/admin/businesstype/new/", {
        "office": str(office_id), "code": "PLEDGE", "name": "再来一个", "ticket_prefix": "Z",
        "sort_order": "0"})
    assert "该网点已有业务代码 PLEDGE" in text(resp)
    resp = admin.submit("/admin/businesstype/new/", {
        "office": str(office_id), "code": "QUERY", "name": "证券查询", "ticket_prefix": "A",
        "sort_order": "0"})
    assert "取号前缀 A 已被该网点的“质押业务”使用" in text(resp)
    assert count(app, BusinessType) == 1


def test_create_slot_template(app, admin, office_id):
    resp = admin.submit("/admin/slottemplate/new/", {
        "office": str(office_id), "start_time": "09:30:00", "end_time": "10:29:59",
        "capacity": "8", "active": "y"})
    assert resp.status_code == 302, text(resp)
    assert count(app, SlotTemplate, capacity=8) == 1


@pytest.mark.parametrize("start, end, capacity, message", [
    ("10:30:00", "10:00:00", "5", "结束时间必须晚于开始时间"),
    ("10:30:00", "10:30:00", "5", "结束时间必须晚于开始时间"),
    ("10:30:00", "11:29:59", "-1", "名额须为0-9999之间的整数"),
    ("10:30:00", "11:29:59", "lots", "不是有效的整数"),
    ("25:00", "11:29:59", "5", "无效时间格式"),
    ("09:00:00", "09:59:59", "5", "与该网点已有时段 08:30:00~09:29:59 重叠"),
])
def test_invalid_slot_template_is_refused(app, admin, office_id, start, end, capacity, message):
    resp = admin.submit("/admin/slottemplate/new/", {
        "office": str(office_id), "start_time": start, "end_time": end,
        "capacity": capacity, "active": "y"})
    assert resp.status_code == 200
    assert message in text(resp)
    assert count(app, SlotTemplate) == 1  # nothing half-written


def test_invalid_slot_edit_leaves_the_row_unchanged(app, admin, office_id):
    with app.app_context():
        slot_id = db.session.execute(db.select(SlotTemplate.id)).scalar_one()
    url = f"/admin/slottemplate/edit/?id={slot_id}"
    resp = admin.submit(url, {"office": str(office_id), "start_time": "09:00:00",
                              "end_time": "08:00:00", "capacity": "3", "active": "y"})
    assert "结束时间必须晚于开始时间" in text(resp)
    with app.app_context():
        slot = db.session.get(SlotTemplate, slot_id)
        assert (slot.start_time, slot.capacity) == (time(8, 30), 10)


@pytest.mark.parametrize("office, message", [(None, "请选择所属网点。"),
                                             ("999", "请从列表中选择。")])
def test_slot_needs_an_office(app, admin, office_id, office, message):
    data = {"start_time": "12:00:00", "end_time": "12:59:59", "capacity": "5"}
    if office:
        data["office"] = office
    resp = admin.submit("/admin/slottemplate/new/", data)
    assert resp.status_code == 200
    assert message in text(resp)
    assert "保存失败，请按提示修改后重新提交" in text(resp)
    assert count(app, SlotTemplate) == 1


# --- The frame: CSRF, no deletion, local assets, Chinese -------------------------

def test_back_office_post_without_csrf_is_refused(app, admin, office_id):
    resp = admin.client.post("/admin/slottemplate/new/", data={
        "office": str(office_id), "start_time": "12:00:00", "end_time": "12:59:59",
        "capacity": "5"})
    assert resp.status_code == 400
    assert count(app, SlotTemplate) == 1


def test_nothing_can_be_deleted(app, admin, office_id):
    with app.app_context():
        slot_id = db.session.execute(db.select(SlotTemplate.id)).scalar_one()
    token = csrf_from(text(admin.client.get("/admin/slottemplate/")))
    resp = admin.client.post("/admin/slottemplate/delete/", data={
        "csrf_token": token, "id": str(slot_id)})
    assert resp.status_code in (302, 404, 405)
    assert count(app, SlotTemplate) == 1


@pytest.mark.parametrize("path", ["/admin/", "/admin/office/", "/admin/staffuser/new/",
                                  "/admin/slottemplate/new/", "/admin/businesstype/"])
def test_pages_use_local_assets_only_and_speak_chinese(admin, office_id, path):
    page = text(admin.client.get(path))
    assert not re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", page), path
    assert "后台管理" in page
    if path.endswith("/new/"):
        assert "保存" in page  # Flask-Admin's own words, translated
        assert 'id="csrf_token"' in page  # the SecureForm's own token field
    elif path != "/admin/":
        assert "列表" in page


def test_shipped_catalogue_is_compiled_from_its_source():
    """h5/staff/translations: the .mo Flask-Admin reads says what the .po says."""
    from pathlib import Path

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parents[2] / "h5/staff/translations/zh_Hans_CN/LC_MESSAGES"
    with open(folder / "admin.po", "rb") as po, open(folder / "admin.mo", "rb") as mo:
        source = {m.id: m.string for m in read_po(po) if m.id}
        compiled = {m.id: m.string for m in read_mo(mo) if m.id}
    assert source == compiled


@pytest.mark.parametrize("view", ["office", "staffuser", "csagent", "votemeeting"])
def test_junk_ids_and_pages_get_an_answer_not_a_500(app, admin, office_id, view):
    """``?id=`` that is not a number names no row; ``?page=-1`` is the first page."""
    for junk in ("'; drop table x;--", "１", "-1", "", "254078749155", str(2**63)):
        resp = admin.client.get(f"/admin/{view}/edit/", query_string={"id": junk})
        assert resp.status_code == 302 and f"/admin/{view}/" in resp.headers["Location"]
    resp = admin.client.get(f"/admin/{view}/", query_string={"page": "-1"})
    assert resp.status_code == 200
    if view == "office":
        assert "上海业务受理大厅" in text(resp)
    resp = admin.client.get("/admin/office/edit/", query_string={"id": str(office_id)})
    assert resp.status_code == 200 and "旧说明" in text(resp)
