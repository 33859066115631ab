def test_keyword_reply(wechat):
    resp = wechat.text("o_user1", "预约")
    assert resp.status_code == 200
    assert "业务预约" in wechat.reply_text(resp)
