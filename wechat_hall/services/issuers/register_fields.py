"""The columns of each holder register (ISS-1), in the registrar's field names.

T1 and the B 股全体名册 carry the columns of ``docs/HOLDER_REGISTER.md`` (what
``adapters.holder_register.read_register`` reads back, so a generated T1 imports into a
meeting as a received one does) plus 挂牌年份, 权益次数 and 托管单元. T2/T3 are one row per
merged holder with its rank, ratio and frozen/pledged shares; T4–T6 are the special
accounts' detail per investor. docs/ISSUERS.md has the same tables.
"""
from wechat_hall.adapters.register_files import Field as F

HOLDER = [
    F("HSTMC", "C", 80, label="持有人名称"), F("HSTZJLB", "C", 20, label="证件类别"),
    F("HSTZJHM", "C", 40, label="证件号码"), F("HSTCYRLB", "C", 4, label="持有人类别"),
]
CONTACT = [
    F("HSTTXDZ", "C", 120, label="通讯地址"), F("HSTYZBM", "C", 6, label="邮政编码"),
    F("HSTDH", "C", 30, label="联系电话"),
]

T1 = [F("ZQDM", "C", 6, label="证券代码"), F("ZQZH", "C", 10, label="证券账户"), *HOLDER,
      F("CYSL", "N", 17, label="持有数量"), F("ZQLB", "C", 2, label="证券类别"),
      F("LTLX", "C", 1, label="流通类型"), F("QYLB", "C", 2, label="权益类别"),
      F("GPNF", "N", 4, label="挂牌年份"), F("QYCS", "N", 3, label="权益次数"),
      F("TGDY", "C", 6, label="托管单元"), *CONTACT]

T2 = [F("XH", "N", 8, label="序号"), F("ZQDM", "C", 6, label="证券代码"),
      F("YMTH", "C", 12, label="一码通账户"), F("ZQZH", "C", 10, label="证券账户"),
      F("ZHSL", "N", 6, label="合并账户数"), *HOLDER,
      F("CYSL", "N", 17, label="持有数量"), F("CYBL", "N", 10, 4, label="持有比例(%)"),
      F("DJSL", "N", 17, label="冻结数量"), F("ZYSL", "N", 17, label="质押数量"), *CONTACT]

T3 = T2[:10] + [F("PTSL", "N", 17, label="普通账户持有数量"),
                F("XYSL", "N", 17, label="信用账户持有数量")] + T2[10:]

T4 = [F("ZQDM", "C", 6, label="证券代码"), F("ZYZH", "C", 10, label="约定购回专用账户"),
      F("ZYZHMC", "C", 80, label="专用账户名称"), F("ZYZHSL", "N", 17, label="专用账户持有数量"),
      F("ZQZH", "C", 10, label="投资者证券账户"), *HOLDER,
      F("GHSL", "N", 17, label="待购回数量"), F("CSJYR", "C", 8, label="初始交易日"),
      F("GHJYR", "C", 8, label="购回交易日")]

T5 = [F("ZQDM", "C", 6, label="证券代码"), F("DBZH", "C", 10, label="担保证券账户"),
      F("DBZHMC", "C", 80, label="担保证券账户名称"), F("DBLB", "C", 8, label="账户类别"),
      F("DBZHSL", "N", 17, label="担保证券账户持有数量"),
      F("ZQZH", "C", 10, label="信用/明细证券账户"), *HOLDER,
      F("CYSL", "N", 17, label="持有数量")]

T6 = [F("ZQDM", "C", 6, label="证券代码"), F("ZYZH", "C", 10, label="质押专用账户"),
      F("ZYZHMC", "C", 80, label="质押专用账户名称"), F("ZYZHSL", "N", 17, label="专用账户持有数量"),
      F("ZQZH", "C", 10, label="投资者证券账户"), *HOLDER,
      F("ZYSL", "N", 17, label="质押数量"), F("ZYRQ", "C", 8, label="入库日期")]

FIELDS = {"T1": T1, "B": T1, "T2": T2, "T3": T3, "T4": T4, "T5": T5, "T6": T6}
