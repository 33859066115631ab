"""ISS-4 前端自助查询 through HTTP: yesterday's data at once, in the 9:30–15:00 hours,
only of the issuer's own securities."""
import pytest

from tests import seeding
from tests.issuers.portal_helpers import IssuerBrowser, text
from wechat_hall import clock

PAGES = ("/issuer/queries/holders", "/issuer/queries/freezes", "/issuer/queries/structure",
         "/issuer/queries/transfers")


@pytest.fixture
def issuer(app):
    seeding.load(app, "demo")
    browser = IssuerBrowser(app)
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 10, 0)
    return browser


def test_the_queries_answer_with_yesterdays_data(issuer):
    holders = text(issuer.get("/issuer/queries/holders"))
    assert "数据日期：2026-11-23" in holders and "持有人数" in holders
    freezes = text(issuer.get("/issuer/queries/freezes"))
    assert "质押登记" in freezes and "浦江集团有限公司" in freezes and "10,000,000" in freezes
    structure = text(issuer.get("/issuer/queries/structure"))
    assert "200,000,000" in structure and "01 无限售流通股" in structure
    transfers = text(issuer.get("/issuer/queries/transfers"))
    assert "非流通股非交易过户查询" in transfers


def test_the_shares_add_up(issuer):
    page = text(issuer.get("/issuer/queries/structure"))
    import re
    cells = [int(n.replace(",", "")) for n in re.findall(r'iss-num">([\d,]+)</td>', page)]
    assert sum(cells) == 200_000_000


def test_only_own_codes_and_only_in_the_hours(issuer, app):
    other = text(issuer.get("/issuer/queries/holders?code=900901"))
    assert "不是贵公司的证券" in other and "持有人数（" not in other
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 15, 30)
    for path in PAGES:
        page = text(issuer.get(path))
        assert "当前不在前端自助查询时间内" in page, path
