"""V-7: credit and nominee accounts vote per underlying holder on the web hall: typed in
(明细证券账户 → name and holding) or uploaded from the Excel template; all or nothing."""
import io

from openpyxl import Workbook, load_workbook

from models import VoteSplitDraft
from wechat_hall.extensions import db

from tests.voting.vote_helpers import (CREDIT, CREDIT_YMT, HKSCC, HKSCC_YMT, ballots, make_meeting,
                                       sign_in, text, token)


UNDER = [(CREDIT, "E078900271", "张伟", 3_000), (CREDIT, "E100000001", "孙丽", 2_000),
         (CREDIT, "E100000002", "周强", 45_000)]


def _split(meeting, account):
    return f"/h5/votes/{meeting['id']}/{account}/split"


def _draft(app, meeting, account):
    with app.app_context():
        row = db.session.execute(db.select(VoteSplitDraft).filter_by(
            meeting_id=meeting["id"], account=account)).scalar_one_or_none()
        return [dict(r) for r in row.rows] if row else None


def _sheet(meeting_page_headers, rows):
    book = Workbook()
    sheet = book.active
    sheet.title = "投票明细"
    sheet.append(meeting_page_headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _template(client, meeting, account):
    resp = client.get(f"{_split(meeting, account)}/template.xlsx")
    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == ["投票明细", "填写说明"]
    return [c.value for c in book["投票明细"][1]], book


def _upload(client, meeting, account, data, csrf):
    return client.post(f"{_split(meeting, account)}/upload", data={
        "csrf_token": csrf, "file": (io.BytesIO(data), "votes.xlsx")},
        content_type="multipart/form-data")


def test_credit_account_types_in_holders_then_submits(app, client, registry):
    meeting = make_meeting(app, underlying=UNDER)
    item1, item2, china, france = meeting["items"]
    sign_in(app, client, CREDIT_YMT, "13300880002")
    detail = text(client.get(f"/h5/votes/{meeting['id']}"))
    assert "录入投票明细" in detail and "上传投票明细" in detail
    # The ordinary ballot is not for this account.
    assert client.get(f"/h5/votes/{meeting['id']}/{CREDIT}/ballot").status_code == 302
    page = text(client.get(_split(meeting, CREDIT)))
    assert "投票明细" in page and "温馨提示" in page and "持有股数" in page
    lookup = client.get(f"{_split(meeting, CREDIT)}/lookup?holder=E078900271")
    assert lookup.json == {"found": True, "account": "E078900271", "name": "张伟", "shares": 3000}
    assert client.get(f"{_split(meeting, CREDIT)}/lookup?holder=A312600024").status_code == 404
    csrf = token(client, _split(meeting, CREDIT))
    add = f"{_split(meeting, CREDIT)}/rows"
    resp = client.post(add, data={"csrf_token": csrf, "holder_account": "E078900271",
                                  f"item-{item1}": "for", f"cand-{china}": "4000",
                                  f"cand-{france}": "2000"})
    assert resp.status_code == 302
    # Over the holder's rights (2,000 × 2), someone not underlying, a duplicate: refused.
    for data, message in [
            ({"holder_account": "E100000001", f"cand-{china}": "4001"}, "超过本议案拥有的表决权数"),
            ({"holder_account": "A312600024", f"item-{item1}": "for"}, "不是本账户在权益登记日的明细持有人"),
            ({"holder_account": "E078900271", f"item-{item1}": "for"}, "已录入"),
            ({"holder_account": "E100000001", f"cand-{china}": "-1"}, "不能为负数"),
            ({"holder_account": "E100000001", f"cand-{china}": "1.5"}, "须为整数")]:
        resp = client.post(add, data={"csrf_token": csrf, **data})
        assert resp.status_code == 400 and message in text(resp), (data, text(resp)[-800:])
    assert len(_draft(app, meeting, CREDIT)) == 1
    assert client.post(add, data={"csrf_token": csrf, "holder_account": "E100000001",
                                  f"item-{item1}": "against"}).status_code == 302
    confirm = text(client.get(f"{_split(meeting, CREDIT)}/submit"))
    assert "如您点击“确定”按钮，即表示您对上述投票结果完全确定并正式提交" in confirm
    assert "明细持有人 <b>2</b> 位，合计 <b>5,000</b> 股" in confirm
    resp = client.post(f"{_split(meeting, CREDIT)}/submit", data={"csrf_token": csrf})
    assert resp.status_code == 302
    [ballot] = ballots(app)
    assert ballot.split and ballot.account == CREDIT and ballot.shares == 60_000
    assert ("E078900271", item1, "for", 3000, False, False) in ballot.line_rows
    assert ("E100000001", item1, "against", 2000, False, False) in ballot.line_rows
    assert ("E100000001", item2, "abstain", 2000, True, False) in ballot.line_rows
    assert ("E078900271", china, "votes", 4000, False, False) in ballot.line_rows
    assert _draft(app, meeting, CREDIT) is None
    receipt = text(client.get(resp.headers["Location"]))
    assert ballot.receipt in receipt and "1%以下且市值小于50万元持有数量" in receipt
    assert "赞成：3,000" in receipt and "反对：2,000" in receipt
    # Submitted: nothing more can be added, and a second submit is refused.
    again = client.post(f"{_split(meeting, CREDIT)}/submit", data={"csrf_token": csrf})
    assert again.status_code == 302
    assert "投票结果不能更改" in text(client.get(again.headers["Location"]))
    assert len(ballots(app)) == 1


def test_nominee_uploads_the_excel_template(app, client, registry):
    meeting = make_meeting(app)  # 香港结算: no underlying list, the rows carry name and holding
    item1, item2, china, france = meeting["items"]
    sign_in(app, client, HKSCC_YMT, "13300880001")
    headers, book = _template(client, meeting, HKSCC)
    assert headers == ["明细证券账户", "持有人名称", "持有数量", "0.00 总议案", "1.01 议案1",
                       "1.02 议案2", "2.01 中国", "2.02 法国"]
    notes = "\n".join(str(r[0]) for r in book["填写说明"].iter_rows(values_only=True))
    assert "上传投票模板说明" in notes and "持有数量×当选数" in notes
    csrf = token(client, _split(meeting, HKSCC) + "?mode=excel")
    good = _sheet(headers, [
        ["H000000001", "HK Holder One", 600_000, None, "赞成", "反对", 1_200_000, None],
        ["H000000002", "HK Holder Two", 300_000, "弃权", None, "赞成", 300_000,
         300_000],
    ])
    resp = _upload(client, meeting, HKSCC, good, csrf)
    assert resp.status_code == 302, text(resp)[-1500:]
    draft = _draft(app, meeting, HKSCC)
    assert [r["account"] for r in draft] == ["H000000001", "H000000002"]
    # Upload again during the window: the new file replaces the draft.
    replaced = _sheet(headers, [["H000000003", "HK Holder Three", 100_000, "赞成", None, None,
                                 None, None]])
    assert _upload(client, meeting, HKSCC, replaced, csrf).status_code == 302
    assert [r["account"] for r in _draft(app, meeting, HKSCC)] == ["H000000003"]
    assert client.post(f"{_split(meeting, HKSCC)}/submit",
                       data={"csrf_token": csrf}).status_code == 302
    [ballot] = ballots(app)
    assert ("H000000003", item1, "for", 100_000, False, True) in ballot.line_rows
    assert ("H000000003", item2, "for", 100_000, False, True) in ballot.line_rows


def test_a_bad_excel_upload_changes_nothing(app, client, registry):
    meeting = make_meeting(app)
    sign_in(app, client, HKSCC_YMT, "13300880001")
    headers, _ = _template(client, meeting, HKSCC)
    csrf = token(client, _split(meeting, HKSCC) + "?mode=excel")
    first = _sheet(headers, [["H000000001", "One", 1000, "赞成", None, None, None, None]])
    assert _upload(client, meeting, HKSCC, first, csrf).status_code == 302
    before = _draft(app, meeting, HKSCC)
    cases = [
        (b"PK\x03\x04 this is not a workbook", "不是有效的 Excel"),
        (b"", "请选择要上传的 Excel 文件"),
        (_sheet(["账户", "名称"], []), "表头应以"),
        (_sheet(headers + ["9.01 没有的议案"], [["H000000001", "One", 10]]), "不是本次会议的议案"),
        (_sheet(headers, [["H000000001", "One", 1000, None, "同意", None, None, None],
                          ["BAD", "Two", 10, None, None, None, None, None],
                          ["H000000003", "Three", 10.5, None, None, None, None, None],
                          ["H000000004", "Four", 100, None, None, None, 150, 51],
                          ["H000000005", "Five", 100, None, None, None, -1, None]]),
         "第 2 行：1.01：投票意见须为赞成、反对或弃权"),
        (_sheet(headers, [["H000000001", "One", 600_000, "赞成"] + [None] * 4,
                          ["H000000002", "Two", 400_001, "赞成"] + [None] * 4]),
         "超过本账户持股总数"),
        (_sheet(headers, [["H000000001", "One", 10, "赞成"] + [None] * 4,
                          ["H000000001", "One", 10, "赞成"] + [None] * 4]), "重复"),
    ]
    for data, message in cases:
        resp = _upload(client, meeting, HKSCC, data, csrf)
        body = text(resp)
        assert resp.status_code == 400 and message in body, (message, body[-1500:])
        assert "已保存的投票明细未改变" in body
        assert _draft(app, meeting, HKSCC) == before
    # Every bad row is reported, each with its row number.
    body = text(_upload(client, meeting, HKSCC, cases[4][0], csrf))
    for message in ["第 3 行：明细证券账户 BAD 格式有误", "第 4 行：持有数量须为正整数",
                    "第 5 行：2.00 你喜欢哪个国家：分配的表决权 201 超过", "第 6 行：2.01：表决权数不能为负数"]:
        assert message in body, message
    assert ballots(app) == []


def test_split_pages_refuse_other_people_and_plain_accounts(app, client, registry):
    meeting = make_meeting(app, underlying=UNDER)
    sign_in(app, client, HKSCC_YMT, "13300880001")
    csrf = token(client, _split(meeting, HKSCC))
    assert client.get(_split(meeting, CREDIT)).status_code == 403
    resp = client.post(f"{_split(meeting, CREDIT)}/submit", data={"csrf_token": csrf})
    assert resp.status_code == 403
    assert client.get(f"{_split(meeting, CREDIT)}/lookup?holder=E078900271").status_code == 403
    assert client.get(f"{_split(meeting, CREDIT)}/template.xlsx").status_code == 403
    # Nothing to submit yet.
    resp = client.post(f"{_split(meeting, HKSCC)}/submit", data={"csrf_token": csrf})
    assert resp.status_code == 403 and "尚未录入或上传任何投票明细" in text(resp)
    assert ballots(app) == []


def test_split_accounts_are_web_hall_only(app, client, registry):
    meeting = make_meeting(app)
    sign_in(app, client, HKSCC_YMT, "13300880001", openid="o-hkscc")
    resp = client.get(_split(meeting, HKSCC))
    assert resp.status_code == 403 and "微信营业厅只支持个人投资者投票" in text(resp)
    resp = client.get(f"/h5/votes/{meeting['id']}/{HKSCC}/ballot")
    assert resp.status_code == 403 and "微信营业厅只支持个人投资者投票" in text(resp)
    detail = text(client.get(f"/h5/votes/{meeting['id']}"))
    assert "请登录网上营业厅投票" in detail and "录入投票明细" not in detail
    assert ballots(app) == []


def test_the_ballot_service_keeps_split_accounts_to_their_holders_on_the_web(app, registry):
    """Not only the pages: ballots.cast itself refuses a credit or nominee account through
    WeChat or with its own (not its holders') opinion, and a plain account voting for
    others; nothing is recorded until the one right ballot."""
    import pytest

    from models import VoteHolding, VoteMeeting
    from models.voting import WEB, WECHAT
    from wechat_hall.services.voting import ballots as ballot_rules
    from wechat_hall.services.voting import opinions
    from wechat_hall.services.voting.meetings import VoteRefused

    from tests.voting.vote_helpers import WANG_AN

    meeting = make_meeting(app, underlying=UNDER)
    item1 = meeting["items"][0]
    with app.app_context():
        row = db.session.get(VoteMeeting, meeting["id"])
        struct = opinions.structure(row)

        def holding(account, parent=""):
            return db.session.execute(db.select(VoteHolding).filter_by(
                meeting_id=row.id, parent_account=parent, account=account)).scalar_one()

        opinion = opinions.Opinion(ordinary={item1: "for"})
        by_holders = opinions.resolve(struct, 3_000, opinion, "E078900271", "张伟").lines
        credit = holding(CREDIT)
        own = opinions.resolve(struct, credit.quantity, opinion, CREDIT).lines
        for who, lines, channel, message in [
                (credit, by_holders, WECHAT, "微信营业厅只支持个人投资者投票"),
                (credit, own, WEB, "须按明细账户持有人录入或上传投票明细"),
                (holding(WANG_AN), by_holders, WEB, "投票意见须为本账户持有人的意见"),
                (holding("E078900271", CREDIT), by_holders, WEB, "未持有该证券")]:
            with pytest.raises(VoteRefused, match=message):
                ballot_rules.cast(row, who, lines, channel=channel)
        assert ballots(app) == []
        ballot = ballot_rules.cast(row, credit, by_holders, channel=WEB)
        assert ballot.split is True and ballot.shares == credit.quantity
    (cast,) = ballots(app)
    assert cast.account == CREDIT and cast.split and cast.channel == WEB
    assert {line[0] for line in cast.line_rows} == {"E078900271"}


def test_split_after_close_is_refused(app, client, registry):
    meeting = make_meeting(app, opens=-5, closes=-1)
    sign_in(app, client, HKSCC_YMT, "13300880001")
    csrf = token(client, "/h5/profile")
    resp = client.post(f"{_split(meeting, HKSCC)}/rows", data={
        "csrf_token": csrf, "holder_account": "H000000001", "holder_name": "X",
        "holder_shares": "10", f"item-{meeting['items'][0]}": "for"})
    assert resp.status_code == 403 and "投票已结束" in text(resp)
