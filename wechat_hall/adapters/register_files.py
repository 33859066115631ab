"""Writing a holder register (ISS-1) as DBF, .xlsx or CSV, row by row.

* DBF: dBase III (FoxPro reads it, as the registrar's PROP files), GBK text. Written as a
  stream: the header's record count is patched when the file is closed, so a million
  rows never sit in memory. A character a GBK file cannot hold becomes ``?``; a text
  longer than its field is cut on a character boundary.
* .xlsx: openpyxl's write-only workbook (rows go to disk as they come, no 65,536-row
  limit); past Excel's 1,048,576 rows a sheet, the rows go on in a second sheet.
* CSV: UTF-8 with a BOM (Excel opens it in Chinese), a header row of the field names.

``Field(name, kind, width, decimals)``: kind ``C`` (text) or ``N`` (number). Each writer
takes rows as tuples in the fields' order.
"""
import csv
import struct
from dataclasses import dataclass

from wechat_hall import clock

FORMATS = ("dbf", "xlsx", "csv")
XLSX_MAX_ROWS = 1_048_576


@dataclass(frozen=True)
class Field:
    name: str
    kind: str        # C or N
    width: int
    decimals: int = 0
    label: str = ""  # the Chinese column title (xlsx header's second line)


def _text_cell(value, width):
    """A character field as text whose GBK encoding is exactly ``width`` bytes."""
    text = "" if value is None else (value if value.__class__ is str else str(value))
    if text.isascii():  # the common case: one character, one byte
        return text[:width].ljust(width)
    raw = text.encode("gbk", "replace")
    if len(raw) > width:
        raw = raw[:width].decode("gbk", "ignore").encode("gbk")
    return raw.decode("gbk") + " " * (width - len(raw))


def _number_cell(value, width, decimals):
    if value is None:
        return " " * width
    text = f"{value:.{decimals}f}" if decimals else str(int(value))
    if len(text) > width:
        raise ValueError(f"数值 {text} 超出字段宽度 {width}")
    return text.rjust(width)


class DbfWriter:
    """dBase III writer in GBK (language driver 0x4D, cp936)."""

    def __init__(self, path, fields):
        self.path, self.fields, self.count = path, fields, 0
        self._spec = [(f.kind == "N", f.width, f.decimals) for f in fields]
        self._file = open(path, "wb")  # noqa: SIM115 (a stream, closed by close())
        self._record_length = 1 + sum(f.width for f in fields)
        self._file.write(self._header())

    def _header(self):
        today = clock.today()
        header_length = 32 + 32 * len(self.fields) + 1
        head = struct.pack("<BBBBIHH", 0x03, today.year - 1900, today.month, today.day,
                           self.count, header_length, self._record_length)
        head += b"\0" * 17 + b"\x4d" + b"\0" * 2
        for f in self.fields:
            head += struct.pack("<11sc4xBB14x", f.name.encode("ascii"),
                                f.kind.encode("ascii"), f.width, f.decimals)
        return head + b"\r"

    def write(self, row):
        """One record: its fields padded as text, then encoded once (a row of GBK text is
        a row of its fields' bytes, since every field is padded to its byte width)."""
        parts = [" "]
        for (numeric, width, decimals), value in zip(self._spec, row, strict=True):
            if numeric:
                parts.append(_number_cell(value, width, decimals))
            else:
                parts.append(_text_cell(value, width))
        self._file.write("".join(parts).encode("gbk", "replace"))
        self.count += 1

    def close(self):
        self._file.write(b"\x1a")
        self._file.seek(4)
        self._file.write(struct.pack("<I", self.count))
        self._file.close()


class XlsxWriter:
    def __init__(self, path, fields, title="名册"):
        from openpyxl import Workbook
        self.path, self.fields, self.count, self.title = path, fields, 0, title
        self._book = Workbook(write_only=True)
        self._sheet, self._sheet_rows, self._sheets = None, 0, 0
        self._new_sheet()

    def _new_sheet(self):
        self._sheets += 1
        name = self.title if self._sheets == 1 else f"{self.title}{self._sheets}"
        self._sheet = self._book.create_sheet(name[:31])
        self._sheet.append([f.name for f in self.fields])
        self._sheet.append([f.label or f.name for f in self.fields])
        self._sheet_rows = 2

    def write(self, row):
        if self._sheet_rows >= XLSX_MAX_ROWS:
            self._new_sheet()
        self._sheet.append(list(row))
        self._sheet_rows += 1
        self.count += 1

    def close(self):
        self._book.save(self.path)


class CsvWriter:
    def __init__(self, path, fields):
        self.path, self.count = path, 0
        self._file = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._file)
        self._writer.writerow([f.name for f in fields])

    def write(self, row):
        self._writer.writerow(["" if v is None else v for v in row])
        self.count += 1

    def close(self):
        self._file.close()


def open_writer(fmt, path, fields, title="名册"):
    if fmt == "dbf":
        return DbfWriter(path, fields)
    if fmt == "xlsx":
        return XlsxWriter(path, fields, title)
    if fmt == "csv":
        return CsvWriter(path, fields)
    raise ValueError(fmt)


def abandon(writer):
    """Close a writer whose rows failed half-way (the caller removes the file)."""
    try:
        if isinstance(writer, (DbfWriter, CsvWriter)):
            writer._file.close()
    except OSError:
        pass
