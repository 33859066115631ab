"""`flask …` commands, in groups: menu, jobs, demo, staff, tradefeed, registry, vote,
calendar, issuer."""


def register(app):
    from . import calendar, demo, issuer, jobs, menu, registry, staff, tradefeed, vote
    for group in (menu.group, jobs.group, demo.group, staff.group, tradefeed.group,
                  registry.group, vote.group, calendar.group, issuer.group):
        app.cli.add_command(group)
