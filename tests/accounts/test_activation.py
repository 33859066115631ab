"""ACC-8: step 1 (ID → 一码通), the methods offered, and (a) reserved phone, (b) bank card."""
import pytest

from models import DevMessage, HallUser, IdentityVerification
from wechat_hall.extensions import db

from tests.seeding import forget_counters
from tests.accounts.account_helpers import (confirmed, csrf, form_post, last_code, send_code,
                                            signed_up, signed_up_wechat, user)


PHONE = "13800000010"
WANG = {"holder_type": "individual", "id_type": "resident_id", "id_number": "211103198603040003"}
LI = {"holder_type": "individual", "id_type": "resident_id", "id_number": "32010219900503153X"}
ZHAO = {"holder_type": "individual", "id_type": "resident_id", "id_number": "330106199202052046"}
LIU = {"holder_type": "individual", "id_type": "resident_id", "id_number": "110108198307093191"}


@pytest.fixture
def member(app, client, registry, easy_captcha):
    """A signed-in web-hall user without a 一码通."""
    signed_up(app, client, PHONE)
    return client


def step1(client, ident):
    return form_post(client, "/h5/ymt/activate", ident)


def test_reserved_phone_activation_end_to_end(app, member):
    resp = step1(member, WANG)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/verify/methods")
    page = member.get("/h5/verify/methods").get_data(as_text=True)
    assert "18****0024" in page and "*安" in page and "211****0003" in page
    assert "211103198603040003" not in page
    for title in ("通过手机号认证", "通过银联身份认证", "通过交易报盘身份认证", "通过临柜身份认证"):
        assert title in page
    page = member.get("/h5/verify/phone").get_data(as_text=True)
    assert "189****0024" in page and "重新选择其他验证方式" in page
    token = csrf(member, "/h5/verify/phone")
    resp = send_code(member, "/h5/verify/sms/phone", token)
    assert resp.get_json() == {"ok": True, "message": "验证码已发送至189****0024", "resend_after": 60}
    resp = member.post("/h5/verify/phone", data={"csrf_token": token,
                                                 "code": last_code(app, "18900000024")})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/verify/confirm")
    assert not user(app, PHONE).is_activated  # nothing before 确认
    page = member.get("/h5/verify/confirm").get_data(as_text=True)
    for text in ("激活信息确认", "*安", "211****0003", "开户预留手机号认证", "确认", "返回"):
        assert text in page
    assert "211103198603040003" not in page
    resp = form_post(member, "/h5/verify/confirm", {})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/ymt/done")
    assert member.get("/h5/verify/confirm").status_code == 400  # used up
    done = member.get("/h5/ymt/done").get_data(as_text=True)
    assert "一码通已激活" in done and "*安" in done and "18****0024" in done
    assert user(app, PHONE).is_activated
    home = member.get("/h5/").get_data(as_text=True)
    assert "*安" in home and "一码通已激活" in home


def test_bank_card_activation(app, member):
    step1(member, LI)
    page = member.get("/h5/verify/bankcard").get_data(as_text=True)
    assert "*明" in page and "320****153X" in page
    token = csrf(member, "/h5/verify/bankcard")
    # A card that is not his (Luhn-valid, unknown) is refused; so is a typo.
    for card, message in (("6222021001234560157", "银行卡号有误"),
                          ("6217000010830031905", "银行卡信息与持卡人身份信息不一致")):
        send_code(member, "/h5/verify/sms/bankcard", token, "13912340153")
        page = member.post("/h5/verify/bankcard", data={
            "csrf_token": token, "card_number": card, "bank_phone": "13912340153",
            "code": last_code(app, "13912340153")}).get_data(as_text=True)
        assert message in page
        forget_counters(app)
    send_code(member, "/h5/verify/sms/bankcard", token, "13912340153")
    resp = confirmed(member, member.post("/h5/verify/bankcard", data={
        "csrf_token": token, "card_number": "6222 0210 0123 4560 156",
        "bank_phone": "13912340153", "code": last_code(app, "13912340153")}), "银联身份认证")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/ymt/done")
    with app.app_context():
        row = db.session.execute(db.select(IdentityVerification)).scalar_one()
        assert row.method == "bankcard" and row.status == "verified"
        assert row.card_fingerprint and "6222" not in row.card_fingerprint


@pytest.mark.parametrize("ident, message", [
    ({**WANG, "id_number": "211103198603040004"}, "证件号码校验位不正确"),
    ({**WANG, "id_number": "21110319860304000"}, "身份证"),
    ({**WANG, "id_number": "110101199003077774"}, "未查询到该证件对应的一码通账户"),
    ({**WANG, "id_type": "hk_macao_pass"}, "证件类型与证件号码不匹配"),
    ({**WANG, "id_type": ""}, "请选择证件类型"),
    ({"holder_type": "institution", "id_type": "uscc", "id_number": "91310115MA1FL2Q752"},
     "校验"),
])
def test_step1_refusals(app, member, ident, message):
    resp = step1(member, ident)
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(IdentityVerification)).first() is None


def test_a_cancelled_ymt_is_not_offered(app, member):
    """赵敏 has a live 一码通 (reserved phone 13500000204) and an earlier, cancelled one
    (13500000999): step 1 goes straight on with the live one, no choice between the two,
    and the check that follows is the live one's."""
    resp = step1(member, ZHAO)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/verify/methods")
    page = member.get("/h5/verify/methods").get_data(as_text=True)
    assert "*敏" in page and "18****0204" in page and "330****2046" in page
    page = member.get("/h5/verify/phone").get_data(as_text=True)
    assert "135****0204" in page and "135****0999" not in page
    token = csrf(member, "/h5/verify/phone")
    resp = send_code(member, "/h5/verify/sms/phone", token)
    assert resp.get_json()["message"] == "验证码已发送至135****0204"
    with app.app_context():
        sent_to = db.session.execute(db.select(DevMessage.recipient).filter_by(
            channel="sms")).scalars().all()
    assert "13500000204" in sent_to and "13500000999" not in sent_to
    # Where there are two live ones (刘洋), step 1 does offer the choice.
    page = step1(member, LIU).get_data(as_text=True)
    assert "该证件名下有多个一码通账户" in page and page.count('name="ymt"') == 2


def test_wechat_accepts_individuals_only(app, registry, easy_captcha):
    wx = app.test_client()
    signed_up_wechat(app, wx, "13800000011", "o_inst")
    page = wx.get("/h5/ymt/activate").get_data(as_text=True)
    assert "仅支持个人用户绑定" in page and "营业执照" not in page
    page = form_post(wx, "/h5/ymt/activate", {"holder_type": "institution", "id_type": "uscc",
                                              "id_number": "91310115MA1FL2Q751"})
    assert "微信营业厅仅支持个人用户绑定" in page.get_data(as_text=True)


def test_institution_on_the_web_gets_no_bank_card_method(app, member):
    resp = step1(member, {"holder_type": "institution", "id_type": "uscc",
                          "id_number": "91310115MA1FL2Q751"})
    assert resp.status_code == 302
    page = member.get("/h5/verify/methods").get_data(as_text=True)
    assert "银联身份认证仅适用于个人投资者" in page
    assert member.get("/h5/verify/bankcard").status_code == 400


def test_no_reserved_phone_means_no_method_a(app, member):
    step1(member, {"holder_type": "individual", "id_type": "resident_id",
                   "id_number": "440304196511080825"})  # 陈静, opened in 1996
    page = member.get("/h5/verify/methods").get_data(as_text=True)
    assert "未预留手机号" in page
    token = csrf(member, "/h5/profile")
    resp = send_code(member, "/h5/verify/sms/phone", token)
    assert resp.status_code == 400 and "未预留手机号" in resp.get_json()["message"]


def test_several_ymt_accounts_let_the_user_choose(app, member):
    ident = {"holder_type": "individual", "id_type": "resident_id",
             "id_number": "110108198307093191"}  # 刘洋
    page = step1(member, ident).get_data(as_text=True)
    assert "有多个一码通账户" in page and "18****0319" in page
    with app.app_context():
        from models import YmtAccount
        second = db.session.execute(db.select(YmtAccount).filter_by(
            number="180520100319")).scalar_one().id
    resp = form_post(member, "/h5/ymt/activate", {**ident, "ymt": str(second)})
    assert resp.status_code == 302
    token = csrf(member, "/h5/verify/phone")
    assert "158****0319" in send_code(member, "/h5/verify/sms/phone", token).get_json()["message"]


def test_a_ymt_bound_by_someone_else_is_refused(app, member):
    step1(member, WANG)
    token = csrf(member, "/h5/verify/phone")
    send_code(member, "/h5/verify/sms/phone", token)
    confirmed(member, member.post("/h5/verify/phone", data={
        "csrf_token": token, "code": last_code(app, "18900000024")}))
    other = app.test_client()
    signed_up(app, other, "13800000012")
    page = step1(other, WANG).get_data(as_text=True)
    assert "已被其他在线用户绑定" in page


def test_an_activated_user_is_not_asked_again(app, member):
    step1(member, WANG)
    token = csrf(member, "/h5/verify/phone")
    send_code(member, "/h5/verify/sms/phone", token)
    confirmed(member, member.post("/h5/verify/phone", data={
        "csrf_token": token, "code": last_code(app, "18900000024")}))
    resp = member.get("/h5/ymt/activate")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/ymt/done")


def test_the_check_context_belongs_to_its_user(app, member):
    step1(member, WANG)
    with member.session_transaction() as sess:
        flow = dict(sess["flow_check"])
    intruder = app.test_client()
    signed_up(app, intruder, "13800000013")
    with intruder.session_transaction() as sess:
        sess["flow_check"] = flow  # a copied cookie value of someone else's flow
    page = intruder.get("/h5/verify/methods")
    assert page.status_code == 400 and "已超时" in page.get_data(as_text=True)


def test_the_query_grid_leads_to_activation_first(app, member):
    home = member.get("/h5/").get_data(as_text=True)
    assert "/h5/ymt/activate?next=" in home and "您当前还未绑定一码通" in home
    resp = member.get("/h5/query/holdings")
    assert resp.status_code == 302 and "/h5/ymt/activate?next=" in resp.headers["Location"]
    with app.app_context():
        assert db.session.execute(db.select(HallUser)).scalar_one().activated_at is None


def test_a_check_decided_at_once_has_no_pending_page(app, member):
    step1(member, WANG)
    token = csrf(member, "/h5/verify/phone")
    send_code(member, "/h5/verify/sms/phone", token)
    confirmed(member, member.post("/h5/verify/phone", data={
        "csrf_token": token, "code": last_code(app, "18900000024")}))
    with app.app_context():
        ref = db.session.execute(db.select(IdentityVerification.public_id)).scalar_one()
    assert member.get(f"/h5/verify/pending/{ref}").status_code == 404


def test_the_id_number_hint_follows_the_id_type(app, member):
    """营业执照 is not asked for an 18-digit resident ID (issue 16)."""
    page = member.get("/h5/ymt/activate").get_data(as_text=True)
    assert "居民身份证号码应为18位" in page
    page = step1(member, {"holder_type": "institution", "id_type": "uscc",
                          "id_number": "91310115"}).get_data(as_text=True)
    hint = page.split('id="id-number-hint"')[1].split("</p>")[0]
    assert "统一社会信用代码应为18位数字或大写字母" in hint and "居民身份证" not in hint
