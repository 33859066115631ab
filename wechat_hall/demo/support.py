"""Customer service (CS): queues, the routing table, the knowledge base (answers taken
from the feature rules in docs/FEATURES.md and the user manual), canned replies,
business hours, and the demo agent serving every queue."""
from models import CsAgent, CsBusinessHours, CsCannedReply, CsKnowledge, CsQueue, CsRule, StaffUser
from wechat_hall.extensions import db
from wechat_hall.services.support.hours import DEFAULT_HOURS
from wechat_hall.services.support.routing import DEFAULT_RULES

QUEUES = [
    ("SH", "沪市", "market", "上海市场证券账户、持有与权益"),
    ("SZ", "深市", "market", "深圳市场证券账户、持有与权益"),
    ("BJ", "北京", "market", "北京证券交易所、全国股转系统"),
    ("ACCOUNT", "账户", "business", "注册、登录、绑定、激活一码通、手机号与密码"),
    ("QUERY", "查询", "business", "持有余额、变更、冻结、配号中签、红利税、放弃认购、电子凭证"),
    ("APPOINTMENT", "预约", "business", "业务预约、排号进度、营业厅"),
    ("VOTE", "投票", "business", "持有人大会网络投票"),
    ("OTHER", "其他", "business", "其他问题"),
]

# queue (None: every queue), question, keywords, answer
KNOWLEDGE = [
    ("ACCOUNT", "如何绑定及激活一码通？", "激活 一码通 完善客户资料 验证方式",
     "登录后进入“完善客户资料”（或在服务大厅点任一查询），第一步输入用户信息：用户类型、"
     "证件类型、证件号码（微信营业厅仅支持个人用户绑定）；第二步选择一种方式验证用户信息："
     "①开户预留手机号（推荐，短信发送到开户时预留的手机号）；②银联身份认证（持卡人姓名、"
     "证件号码、银行卡号、银行预留手机号及短信验证码）；③交易报盘身份认证；④临柜身份认证。"
     "验证通过即完成激活。当前方式遇到问题时，可点击“重新选择其他验证方式”。"),
    ("ACCOUNT", "交易报盘身份认证怎么操作？", "交易报盘 799991 报盘 6.00",
     "输入任一关联的证券账户后，页面会给出系统指定的买入数量。请在15个自然日内的交易时间，"
     "通过您的证券公司提交证券代码799991、买入价格6.00元、该买入数量的买入或新股申购委托。"
     "委托到达后系统核对账户、代码、价格和数量，一致即激活。该委托仅用于身份核验，不会成交、"
     "不产生费用；超过15天未完成则认证失效，需重新申请。"),
    ("ACCOUNT", "临柜身份认证怎么办理？", "临柜 柜台 营业部 临柜认证",
     "输入一个关联的证券账户，选择证券公司及营业部后提交，再携带本人有效身份证件到所选营业部"
     "柜台，由工作人员确认后即完成激活；确认前状态为“待确认”。"),
    ("ACCOUNT", "手机号一个月能变更几次？", "手机号 变更 更换 换手机 次数",
     "进入“个人信息 → 手机号”，输入新手机号和短信验证码，再选择通过手机号、银联、交易报盘或"
     "临柜方式完成身份认证，确认后即可变更。一个月内最多变更三次。"),
    ("ACCOUNT", "忘记登录密码怎么办？", "忘记密码 找回密码 重置密码 密码忘了",
     "在登录页点击“找回密码”。未激活一码通：输入手机号和图形验证码，再输入短信验证码，设置新"
     "密码即可。已激活一码通：输入手机号和图形验证码，填写证件类型和证件号码，选择任一身份认证"
     "方式通过后设置新密码。"),
    ("ACCOUNT", "注册时密码有什么要求？", "注册 密码要求 密码格式 注册失败",
     "注册需中国大陆手机号和短信验证码；密码为8-16位，至少包含字母、数字、符号中的两种，并需"
     "阅读同意《网上注册须知》和《在线用户服务协议》。注册成功后可直接登录。"),
    ("ACCOUNT", "如何绑定或解除绑定微信？", "绑定微信 解绑 解除绑定 账户绑定",
     "点击菜单“我的账户 → 账户绑定”，输入手机号和短信验证码即可把账户绑定到当前微信；一个微信"
     "只能绑定一个账户。已绑定的可在同一菜单“解除绑定”。"),
    ("QUERY", "电子凭证怎么申请？每天能申请几次？", "电子凭证 凭证 邮箱 证明",
     "在“证券持有余额”“证券持有变更”“证券冻结情况”页面点击“获取电子凭证”，选择查询日期和"
     "证券账户，输入接收邮箱，核验证件号码后提交。凭证为带电子签名的PDF文件，发送到您的邮箱。"
     "每人每天最多申请5次，可申请最近三年的数据。"),
    ("QUERY", "为什么查不到我的持有余额？", "查不到 查询不到 看不到 持有余额 持仓",
     "证券查询仅对已绑定并激活一码通的用户开放，请先完成“绑定及激活一码通”。持有余额可查询"
     "最近一年内任一交易日的数据；信用账户数据仅供核对。如您有多个一码通账户，请分别查询。"),
    ("QUERY", "股息红利个人所得税怎么计算？", "红利 股息 个人所得税 红利税 分红 扣税",
     "实行差别化税率：持股期限在1个月以内（含）的，税负为20%；1个月以上至1年（含）的，税负为"
     "10%；超过1年的，暂免征收。“股息红利个人所得税”页面可查看每笔红利的持股期限、已扣和应补税额。"),
    ("QUERY", "中签后放弃认购有什么影响？", "放弃认购 中签未缴款 未缴款 弃购",
     "投资者连续12个月内累计出现3次中签后未足额缴款的情形，自最近一次放弃认购次日起6个月内"
     "不得参与新股申购。可在“放弃认购数据”中查看记录。"),
    ("APPOINTMENT", "业务预约有什么规则？几点停止预约？", "预约 15:00 三点 次日 号源 预约规则",
     "点击“业务办理 → 业务预约 → 申请预约”，选择办理地区（北京/上海/深圳），填写经办人类型、"
     "姓名、单位、证件号码，选择业务类型、业务笔数（1-6笔）、预约日期和时段并同意预约规则后提交。"
     "每日下午15:00停止预约次日的号源。预约成功后凭预约码或二维码在预约时段到大厅取号机取号。"),
    ("APPOINTMENT", "如何取消预约或查看预约记录？", "取消预约 我的预约 预约记录",
     "进入“业务预约 → 我的预约”，按预约时间或办理时间查询一个月内或三个月内的预约，可查看详情；"
     "未取号的预约可点击“取消预约”。"),
    ("APPOINTMENT", "怎么查询排号进度？", "排号进度 排队码 等待人数 排号",
     "点击“业务办理 → 排号进度查询”，选择地区并输入取号单上的排队码，即可看到排队号、业务类型"
     "和目前等待人数。"),
    ("VOTE", "累积投票怎么投？", "累积投票 选举 候选人 表决权数 当选",
     "选举型议案采用累积投票：本议案拥有的表决权数 = 持股总数 × 当选数。您可以把表决权全部投给"
     "一位候选人，也可以分散投给多位候选人；页面会提示“您还有N表决权未分配”，投出的总数超过"
     "表决权数将无法提交。"),
    ("VOTE", "投票提交后能修改吗？", "修改投票 重新投票 改票 撤销投票",
     "不能。点击“确定”后投票结果正式提交，不能通过本系统进行更改；同一证券账户对同一次会议"
     "只能提交一次。"),
    ("VOTE", "我能参加哪些会议的投票？", "参加投票 哪些会议 网络投票 权益登记日",
     "在权益登记日持有该证券的账户可以参加相应持有人大会的网络投票。进入“网络投票”可看到您"
     "可参加的会议及状态（未投票/已投票/已结束），在投票期间内投票。"),
    ("SH", "沪市证券的持有与变更在哪里查？", "沪市 上海 沪市账户 上交所",
     "沪市证券账户的持有余额、持有变更、冻结情况可在服务大厅对应栏目按市场选择查询；需要到厅"
     "办理非交易过户、质押等业务的，可预约上海业务受理大厅（上海市浦东新区杨高南路188号）。"),
    ("SZ", "深市证券的持有与变更在哪里查？", "深市 深圳 深市账户 深交所",
     "深市证券账户的持有余额、持有变更、冻结情况可在服务大厅对应栏目按市场选择查询；需要到厅"
     "办理非交易过户、质押等业务的，可预约深圳业务受理大厅（深圳市福田区深南大道2012号）。"),
    ("BJ", "北交所证券的业务在哪里办理？", "北交所 北京 新三板 股转",
     "北京证券交易所及全国股转系统证券的持有、变更、冻结可在服务大厅查询；到厅办理可预约北京"
     "业务受理大厅（北京市西城区太平桥大街17号）。"),
    (None, "人工客服的服务时间和热线？", "热线 电话 服务时间 上班时间 工作时间",
     "客服热线：4008-058-058。人工在线客服服务时间：工作日 8:30—17:00；其他时间的留言，客服上班后"
     "按顺序回复。"),
]

CANNED = [
    ("hello", "问候", "您好，很高兴为您服务，请问有什么可以帮您？"),
    ("wait", "请稍候", "请您稍等，正在为您查询。"),
    ("activate", "激活一码通步骤",
     "请登录后进入“完善客户资料”，输入证件类型和证件号码，再选择开户预留手机号、银联、交易报盘"
     "或临柜方式验证，验证通过即完成激活。"),
    ("cert", "电子凭证", "电子凭证可在持有余额、持有变更、冻结情况页面点击“获取电子凭证”申请，"
     "每人每天最多5次，凭证发送至您填写的邮箱。"),
    ("bye", "结束语", "感谢您的咨询，如还有其他问题，欢迎随时联系我们。祝您生活愉快！"),
]


def seed():
    queues = {}
    for order, (code, name, kind, description) in enumerate(QUEUES, 1):
        queue = db.session.execute(db.select(CsQueue).filter_by(code=code)).scalar_one_or_none()
        if queue is None:
            queue = CsQueue(code=code, name=name, kind=kind, description=description,
                            sort_order=order * 10)
            db.session.add(queue)
        queues[code] = queue
    db.session.flush()
    if db.session.execute(db.select(CsRule.id).limit(1)).first() is None:
        for order, (pattern, code, note) in enumerate(DEFAULT_RULES, 1):
            db.session.add(CsRule(sort_order=order * 10, pattern=pattern, queue=queues[code],
                                  note=note))
    for order, (code, question, keywords, answer) in enumerate(KNOWLEDGE, 1):
        if db.session.execute(db.select(CsKnowledge.id).filter_by(question=question)).first():
            continue
        db.session.add(CsKnowledge(queue=queues[code] if code else None, question=question,
                                   keywords=keywords, answer=answer, sort_order=order * 10))
    for shortcut, title, body in CANNED:
        if db.session.execute(db.select(CsCannedReply.id).filter_by(shortcut=shortcut)).first():
            continue
        db.session.add(CsCannedReply(shortcut=shortcut, title=title, body=body))
    if db.session.execute(db.select(CsBusinessHours.id).limit(1)).first() is None:
        for weekday, opens, closes in DEFAULT_HOURS:
            db.session.add(CsBusinessHours(weekday=weekday, opens=opens, closes=closes))
    for username in ("agent", "admin"):
        staff = db.session.execute(db.select(StaffUser).filter_by(username=username)
                                   ).scalar_one_or_none()
        if staff is not None and db.session.get(CsAgent, staff.id) is None:
            db.session.add(CsAgent(staff_id=staff.id, capacity=5, presence="offline",
                                   queues=list(queues.values())))
    db.session.flush()
