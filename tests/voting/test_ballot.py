"""V-3..V-6 for an individual: 我的投票, the ballot, its server-side rules, the receipt."""
import re

from models.voting import ABSTAIN, AGAINST, FOR, VOTES

from tests.voting.vote_helpers import (WANG_AN, WANG_AN_YMT, ZHANG_WEI, ZHANG_WEI_YMT, ballot_url,
                                       ballots, line_count, make_meeting, post_ballot, sign_in,
                                       text, token)


def test_my_votes_lists_meetings_with_status(app, client, registry):
    meeting = make_meeting(app)
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    page = text(client.get("/h5/votes"))
    assert "600888 浦江科技" in page and "未投票" in page
    detail = text(client.get(f"/h5/votes/{meeting['id']}"))
    assert WANG_AN in detail and "我要投票" in detail and ZHANG_WEI not in detail


def test_a_user_without_holdings_sees_no_meeting(app, client, registry):
    meeting = make_meeting(app, register=[(ZHANG_WEI, "张伟", 100)])
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    assert "暂无可参与的投票" in text(client.get("/h5/votes"))
    resp = client.get(f"/h5/votes/{meeting['id']}")
    assert resp.status_code == 403 and "未持有该证券" in text(resp)


def test_unactivated_and_anonymous_are_sent_away(app, client, registry):
    make_meeting(app)
    resp = client.get("/h5/votes")
    assert resp.status_code == 302 and "/h5/account/login" in resp.headers["Location"]


def test_ballot_page_shows_the_seed_texts(app, client, registry):
    meeting = make_meeting(app)
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    page = text(client.get(ballot_url(meeting)))
    for words in ["证券代码", "600888", "证券简称", "浦江科技", "权益登记日", "2017-01-04",
                  "持股总数", "5,000", "温馨提示", "持有人会议议案分为两种类型：表决型和选举型",
                  "表决型议案可直接选择赞成、反对或弃权", "选举型议案的表决权数=投票人持股总数×当选人数",
                  "您既可将所有表决权集中投给一人，也可分散投给数人", "1.00 : 议案", "1.01 : 议案1",
                  "2.00 : 你喜欢哪个国家", "当选数：<b>2</b>", "5,000*2=10,000", "2.01 : 中国",
                  "您还有 <b class=\"vote-remaining__n\">10,000</b> 表决权未分配", "总议案"]:
        assert words in page, words


def test_preview_says_unvoted_count_as_abstentions_then_confirm_casts(app, client, registry):
    meeting = make_meeting(app)
    item1, item2, china, france = meeting["items"]
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    data = {f"item-{item1}": "for", f"cand-{china}": "6,000", f"cand-{france}": "3000"}
    preview = post_ballot(client, meeting, data, step="preview")
    page = text(preview)
    assert preview.status_code == 200
    assert "如您点击“确定”按钮，即表示您对上述投票结果完全确定并正式提交；投票结果正式提交后，不能通过本系统进行更改。" in page
    assert "1.02 : 议案2" in page and "未投票，计为弃权" in page
    assert "您还有 1,000 表决权未分配，计为弃权" in page
    assert ballots(app) == []  # the preview records nothing
    resp = post_ballot(client, meeting, data)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/{WANG_AN}/receipt?new=1")
    [ballot] = ballots(app)
    assert ballot.shares == 5000 and ballot.channel == "web" and len(ballot.receipt) == 64
    assert sorted(ballot.line_rows, key=str) == sorted([
        (WANG_AN, item1, FOR, 5000, False, False), (WANG_AN, item2, ABSTAIN, 5000, True, False),
        (WANG_AN, china, VOTES, 6000, False, False), (WANG_AN, france, VOTES, 3000, False, False),
        (WANG_AN, None, ABSTAIN, 1000, True, False)], key=str)
    receipt = text(client.get(resp.headers["Location"]))
    assert ballot.receipt in receipt and "投票成功" in receipt and "6,000" in receipt
    assert "已投票" in text(client.get("/h5/votes"))


def test_over_allocation_is_refused_on_the_server(app, client, registry):
    meeting = make_meeting(app)
    _, _, china, france = meeting["items"]
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    resp = post_ballot(client, meeting, {f"cand-{china}": "10000", f"cand-{france}": "1"})
    assert resp.status_code == 400
    assert "分配的表决权 10,001 超过本议案拥有的表决权数 5,000×2=10,000" in text(resp)
    assert "本次未记录任何投票" in text(resp)
    assert ballots(app) == [] and line_count(app) == 0
    # Exactly the rights is fine: concentrated on one candidate.
    assert post_ballot(client, meeting, {f"cand-{china}": "10000"}).status_code == 302


def test_bad_numbers_and_unknown_proposals_are_refused(app, client, registry):
    meeting = make_meeting(app)
    item1, _, china, _ = meeting["items"]
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    cases = [({f"cand-{china}": "-5"}, "不能为负数"), ({f"cand-{china}": "12.5"}, "须为整数"),
             ({f"cand-{china}": "abc"}, "须为整数"), ({f"item-{item1}": "yes"}, "赞成、反对或弃权"),
             ({"item-999999": "for"}, "议案不存在"), ({f"item-{china}": "for"}, "议案不存在"),
             ({f"cand-{item1}": "5"}, "议案不存在"), ({}, "您尚未填写任何投票意见"),
             ({f"cand-{china}": "9" * 20}, "须为整数")]
    for data, message in cases:
        resp = post_ballot(client, meeting, data)
        assert resp.status_code == 400, data
        assert message in text(resp), (data, text(resp)[:300])
    assert ballots(app) == []


def test_no_overall_proposal_on_a_meeting_without_one(app, client, registry):
    meeting = make_meeting(app, overall=False)
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    resp = post_ballot(client, meeting, {"overall": "for"})
    assert resp.status_code == 400 and "本次会议没有总议案" in text(resp)
    assert "总议案" not in text(client.get(ballot_url(meeting)))


def test_voting_before_or_after_the_window_is_refused(app, client, registry):
    early = make_meeting(app, opens=2, closes=5)
    late = make_meeting(app, opens=-5, closes=-1)
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    csrf = token(client, "/h5/profile")
    for meeting, message in [(early, "投票尚未开始"), (late, "投票已结束")]:
        item1 = meeting["items"][0]
        assert message in text(client.get(ballot_url(meeting)))
        resp = post_ballot(client, meeting, {f"item-{item1}": "for"}, csrf=csrf)
        assert resp.status_code == 403 and message in text(resp)
    assert ballots(app) == []


def test_someone_elses_account_or_meeting_is_refused(app, client, registry):
    meeting = make_meeting(app)
    item1 = meeting["items"][0]
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    csrf = token(client, "/h5/profile")
    resp = post_ballot(client, meeting, {f"item-{item1}": "for"}, account=ZHANG_WEI, csrf=csrf)
    assert resp.status_code == 403 and "该证券账户不属于您" in text(resp)
    assert client.get(ballot_url(meeting, ZHANG_WEI)).status_code == 403
    assert client.get(f"/h5/votes/{meeting['id']}/{ZHANG_WEI}/receipt").status_code == 403
    assert client.get("/h5/votes/999999").status_code == 403
    assert client.get(f"/h5/votes/999999/{WANG_AN}/ballot").status_code == 403
    # His own account that held nothing on the record date (0312600024 is not in the register)
    assert client.get(ballot_url(meeting, "0312600024")).status_code == 403
    assert ballots(app) == []


def test_an_account_that_held_nothing_cannot_vote(app, client, registry):
    meeting = make_meeting(app, register=[(WANG_AN, "王安", 0)])
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    resp = post_ballot(client, meeting, {f"item-{meeting['items'][0]}": "for"},
                       csrf=token(client, "/h5/profile"))
    assert resp.status_code == 403 and ballots(app) == []


def test_second_submission_is_refused_with_the_first_receipt(app, client, registry):
    meeting = make_meeting(app)
    item1 = meeting["items"][0]
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    csrf = token(client, "/h5/profile")
    assert post_ballot(client, meeting, {f"item-{item1}": "for"}, csrf=csrf).status_code == 302
    [first] = ballots(app)
    resp = post_ballot(client, meeting, {f"item-{item1}": "against"}, csrf=csrf)
    assert resp.status_code == 302
    page = text(client.get(resp.headers["Location"]))
    assert "该证券账户已投票，投票结果不能更改" in page and first.receipt in page
    [again] = ballots(app)
    assert again.receipt == first.receipt
    assert (WANG_AN, item1, FOR, 5000, False, False) in again.line_rows


def test_overall_proposal_precedence_earlier_wins(app, client, registry):
    meeting = make_meeting(app, register=[(WANG_AN, "王安", 5_000), (ZHANG_WEI, "张伟", 100)])
    item1, item2, _, _ = meeting["items"]
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    # 1.01 chosen before the 总议案: 1.01 keeps its own opinion, 1.02 follows the 总议案.
    post_ballot(client, meeting, {"overall": "against", f"item-{item1}": "for",
                                  "order": f"item-{item1},overall"})
    [ballot] = ballots(app)
    assert (WANG_AN, item1, FOR, 5000, False, False) in ballot.line_rows
    assert (WANG_AN, item2, AGAINST, 5000, False, True) in ballot.line_rows
    # 总议案 chosen first: it decides every 表决型 item.
    other = app.test_client()
    sign_in(app, other, ZHANG_WEI_YMT, "13900000002")
    preview = post_ballot(other, meeting, {"overall": "against", f"item-{item1}": "for",
                                           "order": f"overall,item-{item1}"}, account=ZHANG_WEI,
                          step="preview")
    assert "（按总议案）" in text(preview)
    # the explicit 赞成 on 1.01 was set aside, and the preview says so (issue 16)
    assert "您对本议案选择的“赞成”未被采用：总议案先于本议案投出，按总议案计为“反对”" in text(preview)
    assert text(preview).count("未被采用") == 1  # 1.02 had no choice of its own
    post_ballot(other, meeting, {"overall": "against", f"item-{item1}": "for",
                                 "order": f"overall,item-{item1}"}, account=ZHANG_WEI)
    zhang = [b for b in ballots(app) if b.account == ZHANG_WEI][0]
    assert (ZHANG_WEI, item1, AGAINST, 100, False, True) in zhang.line_rows
    assert (ZHANG_WEI, item2, AGAINST, 100, False, True) in zhang.line_rows


def test_overall_without_an_order_follows_the_page_order(app, client, registry):
    meeting = make_meeting(app)
    item1, item2, _, _ = meeting["items"]
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    post_ballot(client, meeting, {"overall": "abstain", f"item-{item1}": "for"})
    [ballot] = ballots(app)
    assert (WANG_AN, item1, ABSTAIN, 5000, False, True) in ballot.line_rows


def test_no_csrf_token_records_nothing(app, client, registry):
    meeting = make_meeting(app)
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    resp = client.post(ballot_url(meeting), data={"step": "confirm",
                                                  f"item-{meeting['items'][0]}": "for"})
    assert resp.status_code == 400 and ballots(app) == []


def test_back_from_the_confirmation_keeps_the_choices(app, client, registry):
    meeting = make_meeting(app)
    _, _, china, _ = meeting["items"]
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    page = text(post_ballot(client, meeting, {f"cand-{china}": "777"}, step="edit"))
    assert re.search(rf'name="cand-{china}" value="777"', page)
    assert ballots(app) == []


def test_wechat_ballot_is_recorded_as_wechat(app, client, registry):
    meeting = make_meeting(app)
    sign_in(app, client, WANG_AN_YMT, "13900000001", openid="o-wang-an")
    assert post_ballot(client, meeting, {f"item-{meeting['items'][0]}": "for"}).status_code == 302
    assert ballots(app)[0].channel == "wechat"


def test_the_hall_grid_and_chat_link_point_at_the_votes(app, client, registry):
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    # the web hall's 网络投票 page first, then 我的投票 (seed 三.1.1)
    assert 'href="/h5/votes/hall"' in text(client.get("/h5/"))
    assert 'href="/h5/votes"' in text(client.get("/h5/votes/hall"))


def test_the_ballot_follows_the_back_office_until_the_first_ballot_then_stays_fixed(
        app, client, registry):
    """Proposals and candidates change in the back office until the meeting's first ballot;
    after it they are fixed (admin.py), and each process keeps them rather than reading them
    for every ballot. Before: a candidate added is on the next ballot page at once."""
    from models import VoteItem
    from wechat_hall.extensions import db
    meeting = make_meeting(app)
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    assert "德国" not in text(client.get(ballot_url(meeting)))
    with app.app_context():
        election = db.session.get(VoteItem, meeting["items"][2]).proposal
        db.session.add(VoteItem(proposal=election, number=3, title="德国"))
        db.session.commit()
    assert "德国" in text(client.get(ballot_url(meeting)))
    resp = post_ballot(client, meeting, {"overall": FOR})
    assert resp.status_code == 302 and "/receipt" in resp.headers["Location"]
    # The second voter's ballot is checked against the kept structure: same items, same rules.
    sign_in(app, client, ZHANG_WEI_YMT, "13900000002")
    page = text(client.get(ballot_url(meeting, ZHANG_WEI)))
    assert "德国" in page and "法国" in page
    over = post_ballot(client, meeting, {f"cand-{meeting['items'][2]}": "999999"}, ZHANG_WEI)
    assert over.status_code == 400 and "超过" in text(over)
    assert post_ballot(client, meeting, {"overall": AGAINST}, ZHANG_WEI).status_code == 302
    assert len(ballots(app, meeting["id"])) == 2
