"""The 申请预约 form as a fresh visitor and after a refusal (issue 13 item 13: a fresh form
showed ``<built-in method items of dict object at 0x…>`` in 业务笔数)."""
import re


def _items_value(resp):
    html = resp.get_data(as_text=True)
    assert "built-in method" not in html
    return re.search(r'<input[^>]*name="items"[^>]*value="([^"]*)"', html).group(1)


def test_a_fresh_form_has_an_empty_item_count(hall_app, person):
    resp = person.client.get("/h5/appointments/apply?office=SH")
    assert resp.status_code == 200
    assert _items_value(resp) == ""


def test_a_refused_form_keeps_the_count_typed(hall_app, person):
    resp = person.apply(items="4", agent_name="")
    assert resp.status_code == 200 and "请输入经办人姓名" in resp.get_data(as_text=True)
    assert _items_value(resp) == "4"
