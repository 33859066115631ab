"""Is an uploaded or delivered data file whole? (issue 13, item 10)

A file cut in transit (a broken transfer, a full disk) must be refused whole, not
imported as far as it goes. A DBF says in its header how many records it holds and
how long each is; the records are followed by the end-of-file marker 0x1A. A CSV has
no count, but a line cut in the middle is short of columns.
"""
import struct

DBF_EOF = 0x1A


def dbf_problem(path):
    """Why the DBF at ``path`` is not whole, in the user's words, or None."""
    with open(path, "rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            return "文件不完整：DBF 文件头不足 32 字节"
        count, header_len, record_len = struct.unpack("<IHH", head[4:12])
        size = fh.seek(0, 2)
        if header_len < 33 or record_len < 1:
            return "不是有效的 DBF 文件：文件头长度或记录长度有误"
        end = header_len + count * record_len
        if size < end:
            whole = max(size - header_len, 0) // record_len
            return (f"文件不完整：文件头记载 {count} 条记录，文件只含 {whole} 条完整记录"
                    f"（应为 {end + 1} 字节，实际 {size} 字节），请重新获取完整文件")
        fh.seek(end)
        marker = fh.read(1)
        if marker != bytes([DBF_EOF]):
            return "文件不完整：缺少 DBF 结束标记（0x1A），请重新获取完整文件"
        if size > end + 1:
            return (f"文件长度与文件头不符：文件头记载 {count} 条记录（{end + 1} 字节），"
                    f"实际 {size} 字节")
    return None


def cut_csv_row(line, row, columns):
    """A csv.DictReader row with fewer fields than the header (a line cut in the middle:
    DictReader fills the missing ones with None): the refusal, or None."""
    missing = sum(1 for value in row.values() if value is None)
    if missing:
        return (f"文件不完整：第 {line} 行只有 {columns - missing} 列（应为 {columns} 列），"
                "文件可能在传输中被截断，请重新获取完整文件")
    return None
