"""The certificate as a PDF (Q-8), drawn with reportlab.

Chinese text uses the Adobe CID font ``STSong-Light`` (UniGB-UCS2-H): every PDF reader
has it or a substitute, nothing is embedded, and the text stays extractable (the tests
read the rows back). Landscape A4, the rows in a table repeated with its header on every
page, and on every page the verification code and the page number.
"""
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from wechat_hall import clock

FONT = "STSong-Light"
ISSUER = "中国证券登记结算有限责任公司"
NOTES = [
    "本凭证数据来源于中国证券登记结算有限责任公司证券登记结算系统，反映所列日期日终的登记记录。",
    "信用账户数据由本公司根据证券公司委托维护，仅供投资者复核使用，不具有法律上的证券持有登记效力。",
    "数量单位：股票为“股”，基金、权证为“份”，债券为“元”。",
    "本凭证带有电子签名，对文件的任何改动都会使签名失效；可凭验证码在核验页面核对凭证信息。",
]


@dataclass
class Document:
    title: str
    header: list  # [(label, value)]
    columns: list
    rows: list  # [[str]]; a one-cell row starts a section (its text is the heading)
    count: int  # data rows
    code: str
    issued_at: datetime  # naive UTC
    verify_url: str
    notes: list = field(default_factory=lambda: list(NOTES))


def _font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def issued_text(issued_at):
    return clock.format_local(issued_at, "%Y-%m-%d %H:%M:%S") + "（北京时间）"


def _table(columns, rows, head, cell, font, colors, Table, TableStyle, Paragraph):
    """Short values are drawn as plain strings (a Paragraph per cell made a 2,000-row
    certificate take 13 s); long ones wrap."""
    data = [[Paragraph(c, head) for c in columns]]
    data += [[Paragraph(str(v), cell) if len(str(v)) > 12 else str(v) for v in row]
             for row in rows]
    table = Table(data, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#c8161d")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f6f6")]),
    ]))
    return table


def render(doc: Document) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=1)
    sub = ParagraphStyle("sub", fontName=font, fontSize=11, leading=15, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, textColor=colors.white)
    issued = issued_text(doc.issued_at)

    story = [Paragraph(ISSUER, sub), Paragraph(doc.title, title), Spacer(1, 4 * mm)]
    info = [[Paragraph(f"{label}：{value}", body) for label, value in doc.header[i:i + 2]]
            for i in range(0, len(doc.header), 2)]
    for row in info:
        row += [""] * (2 - len(row))
    info.append([Paragraph(f"出具时间：{issued}", body),
                 Paragraph(f"凭证验证码：{doc.code}", body)])
    story += [Table(info, colWidths=["50%", "50%"]), Spacer(1, 4 * mm)]
    if doc.rows:
        # A one-cell row starts a section (an account) with its own table: a heading and
        # separate tables lay out twice as fast as one table with spanning rows.
        sections = []
        for row in doc.rows:
            if len(row) == 1:
                sections.append((row[0], []))
            else:
                if not sections:
                    sections.append((None, []))
                sections[-1][1].append(row)
        group = ParagraphStyle("group", parent=body, fontSize=10, leading=14, spaceBefore=4,
                               spaceAfter=2)
        for heading, rows in sections:
            if heading:
                story.append(Paragraph(heading, group))
            story.append(_table(doc.columns, rows, head, cell, font, colors, Table,
                                TableStyle, Paragraph))
    else:
        story.append(Paragraph("所选条件下无记录。", body))
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(f"共 {doc.count} 条记录。", body))
    story += [Paragraph(f"{i}. {note}", body) for i, note in enumerate(doc.notes, 1)]
    story.append(Paragraph(f"核验地址：{doc.verify_url}（输入凭证验证码）", body))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(f"出具单位：{ISSUER}（电子签名）", body))

    def footer(canvas, template):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(15 * mm, 8 * mm, f"{doc.title}  验证码 {doc.code}  出具时间 {issued}")
        canvas.drawRightString(landscape(A4)[0] - 15 * mm, 8 * mm, f"第 {template.page} 页")
        canvas.restoreState()

    out = BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=15 * mm,
                            rightMargin=15 * mm, topMargin=14 * mm, bottomMargin=16 * mm,
                            title=doc.title, author=ISSUER, subject=doc.code,
                            creator="中国结算营业厅")
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
