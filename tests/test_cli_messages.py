"""Commands refuse in plain Chinese (issue 16): no click "Error:" prefix, exit status 1."""


def test_refusals_have_no_english_prefix(app, runner):
    result = runner.invoke(args=["vote", "export", "999999", "/tmp/nowhere.xlsx"])
    assert result.exit_code != 0
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "会议 999999 不存在" in out and "Error" not in out
    runner.invoke(args=["staff", "create", "zhang", "--role", "admin", "--password",
                        "Strong@2026x"])
    again = runner.invoke(args=["staff", "create", "zhang", "--role", "admin", "--password",
                                "Strong@2026x"])
    assert again.exit_code == 1
    assert "账号 zhang 已存在" in again.output and "Error" not in again.output
