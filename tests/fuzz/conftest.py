"""The route fuzz's case count, in the suite's closing summary."""


def pytest_terminal_summary(terminalreporter):
    from tests.fuzz.test_route_fuzz import TALLY, summary
    if TALLY["cases"]:
        terminalreporter.write_sep("-", "route fuzz")
        terminalreporter.write_line(summary())
