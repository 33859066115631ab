"""The registrar's three service halls, their business types and daily slots."""
from datetime import time

from models import BusinessType, Office, SlotTemplate
from wechat_hall.extensions import db

OFFICES = [
    ("BJ", "北京", "北京业务受理大厅", "北京市西城区太平桥大街17号", "010-50938888"),
    ("SH", "上海", "上海业务受理大厅", "上海市浦东新区杨高南路188号", "021-68870000"),
    ("SZ", "深圳", "深圳业务受理大厅", "深圳市福田区深南大道2012号", "0755-25946000"),
]

NOTICE = (
    "1. 请提前选择办理地区、业务类型、预约日期和时段，每日下午15:00停止预约次日的号源。\n"
    "2. 预约成功后请凭预约码或二维码于预约时段内到{region}业务受理大厅取号机取号。\n"
    "3. 未按时取号的预约将自动过期；如不能到场，请提前在“我的预约”中取消。\n"
    "4. 办理业务时请携带有效身份证明文件原件。"
)

# 业务办理须知 as the seed's 预约信息确认 shows it (图 1.4.4.1.1), for the demo's business types.
BUSINESS = [
    ("PLEDGE", "质押业务", "A",
     "证券质押登记业务：请携带好证券质押登记申请表（官网“服务支持”-“业务表格”处下载）、质押合同、"
     "质押双方身份证明文件、相关文件等，并完成业务预填单，具体材料及要求请见证券所对应市场的业务指南"
     "及相关规则。（部分）解除证券质押业务：请携带好（部分）解除质押申请表（官网“服务支持”-“业务表格”"
     "处下载）、证券质押登记证明书、质权人身份证明文件、相关文件等，具体材料要求请见证券所对应市场的"
     "业务指南及相关规则。"),
    ("UNPLEDGE", "解除质押", "B",
     "请携带好（部分）解除质押申请表（官网“服务支持”-“业务表格”处下载）、证券质押登记证明书、"
     "质权人身份证明文件、相关文件等，具体材料要求请见证券所对应市场的业务指南及相关规则。"),
    ("TRANSFER", "非交易过户", "C",
     "请携带好过户登记申请表（官网“服务支持”-“业务表格”处下载）、过户双方有效身份证明文件、"
     "继承、赠与、离婚财产分割等相关证明文件，并完成业务预填单，具体材料及要求请见证券所对应市场的"
     "业务指南及相关规则。"),
    ("ENFORCE", "协助执法", "D",
     "请携带好执法人员有效工作证件、协助执行通知书或协助查询通知书原件等相关文件，具体材料及要求"
     "请见证券所对应市场的业务指南及相关规则。"),
    ("QUERY", "证券查询", "E",
     "请携带好本人有效身份证明文件原件；委托他人代办的，另需授权委托书及代理人有效身份证明文件，"
     "具体材料及要求请见证券所对应市场的业务指南及相关规则。"),
]

SLOTS = [(time(8, 30), time(9, 29, 59)), (time(9, 30), time(10, 29, 59)),
         (time(10, 30), time(11, 29, 59)), (time(13, 0), time(13, 59, 59)),
         (time(14, 0), time(14, 59, 59)), (time(15, 0), time(15, 59, 59))]


def seed():
    for code, region, name, address, phone in OFFICES:
        office = db.session.execute(db.select(Office).filter_by(code=code)).scalar_one_or_none()
        if office is None:
            office = Office(code=code, region=region, name=name, address=address, phone=phone,
                            booking_notice=NOTICE.format(region=region))
            db.session.add(office)
            db.session.flush()
        for order, (bcode, bname, prefix, notice) in enumerate(BUSINESS):
            exists = db.session.execute(db.select(BusinessType.id).filter_by(
                office_id=office.id, code=bcode)).first()
            if not exists:
                db.session.add(BusinessType(office_id=office.id, code=bcode, name=bname,
                                            ticket_prefix=prefix, notice=notice,
                                            sort_order=order))
        for start, end in SLOTS:
            exists = db.session.execute(db.select(SlotTemplate.id).filter_by(
                office_id=office.id, start_time=start)).first()
            if not exists:
                db.session.add(SlotTemplate(office_id=office.id, start_time=start,
                                            end_time=end, capacity=10))
