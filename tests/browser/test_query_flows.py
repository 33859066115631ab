"""Queries and the electronic certificate in chromium (Q-1..Q-8): 王安, activated, logs in
on the web hall with a phone-sized screen, opens every query from the home grid, asks for
a 证券持有余额 certificate, and finds the signed PDF in the development inbox; the
verification page confirms the code."""
import re
from io import BytesIO

import pytest
from playwright.sync_api import expect

from models import CertificateRequest, HallUser, YmtAccount
from wechat_hall.adapters import pdf_signer
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db
from wechat_hall.services.accounts import captcha

pytestmark = pytest.mark.browser

PHONE, PASSWORD = "13900000024", "Hall@2026x"


@pytest.fixture(autouse=True)
def readable_captcha(monkeypatch):
    monkeypatch.setattr(captcha, "ALPHABET", "A")


def wang_an(hall):
    with hall.app_context():
        ymt = db.session.execute(db.select(YmtAccount).filter_by(number="180312600024")
                                 ).scalar_one()
        user = HallUser(phone=PHONE, ymt_account=ymt, activated_at=utcnow())
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


def test_queries_and_a_signed_certificate(hall, demo_data, page, artifact):
    wang_an(hall)
    page.goto("/h5/account/login")
    page.fill("#phone", PHONE)
    page.fill("#password", PASSWORD)
    page.fill("#captcha", "AAAA")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#userbar")).to_contain_text("*安")

    page.locator('[data-feature="Q-1"]').click()
    expect(page.locator("#ymt-card")).to_contain_text("180312600024")
    expect(page.locator("#results tbody tr")).to_have_count(2)
    page.screenshot(path=f"{artifact}--q1-ymt.png", full_page=True)

    for feature, name in [("Q-3", "changes"), ("Q-4", "freezes"), ("Q-5", "ipo"),
                          ("Q-6", "dividend-tax"), ("Q-7", "abandoned")]:
        page.goto("/h5/")
        page.locator(f'[data-feature="{feature}"]').click()
        expect(page.locator("#results tbody tr").first).to_be_visible()
        page.screenshot(path=f"{artifact}--{feature}-{name}.png", full_page=True)

    page.goto("/h5/")
    page.locator('[data-feature="Q-2"]').click()
    expect(page.locator("h1")).to_have_text("证券持有余额")
    expect(page.locator("#results")).to_contain_text("招商银行")
    page.select_option("#account", "A312600024")
    page.locator("#query-submit").click()
    expect(page.locator("#results tbody tr.hall-group")).to_have_count(1)
    expect(page.locator("#results tbody tr.hall-group")).to_contain_text("A312600024")
    page.screenshot(path=f"{artifact}--q2-holdings.png", full_page=True)

    page.locator("#get-certificate").click()
    expect(page.locator("h1")).to_have_text("获取电子凭证")
    expect(page.locator("#kind")).to_have_value("holdings")
    expect(page.locator("#account")).to_have_value("A312600024")
    page.fill("#email", "wang.an@example.com")
    page.fill("#id_number", "211103198603040000")
    page.locator("#send-certificate").click()
    expect(page.locator(".hall-field-error")).to_contain_text("证件号码与一码通登记信息不一致")
    page.fill("#id_number", "211103198603040003")
    page.screenshot(path=f"{artifact}--q8-form.png", full_page=True)
    page.locator("#send-certificate").click()
    expect(page.locator(".hall-flash-success")).to_contain_text("wang.an@example.com")

    hall.run_jobs()
    page.reload()
    expect(page.locator(".hall-request").first).to_have_attribute("data-status", "sent")
    page.screenshot(path=f"{artifact}--q8-requests.png", full_page=True)
    code = page.locator(".hall-verify-code").first.inner_text()

    page.goto("/sim/inbox?channel=email")
    link = page.get_by_role("link", name=re.compile(r"电子凭证-.*\.pdf"))
    expect(link).to_be_visible()
    page.screenshot(path=f"{artifact}--inbox.png", full_page=True)
    response = page.request.get(link.get_attribute("href"))
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    with hall.app_context():
        status = pdf_signer.validate(pdf, [pdf_signer.certificate(hall.app.config)])
        assert status.intact and status.valid and status.trusted
        row = db.session.execute(db.select(CertificateRequest)).scalar_one()
        assert row.code == code
    import pypdf
    text = "".join(p.extract_text() for p in pypdf.PdfReader(BytesIO(pdf)).pages)
    assert "证券持有余额电子凭证" in text and "招商银行" in text and code in text

    page.goto(f"/h5/certificates/verify?code={code.lower().replace('-', '')}")
    expect(page.locator("#verify-result")).to_contain_text("证券持有余额")
    page.screenshot(path=f"{artifact}--verify.png", full_page=True)
