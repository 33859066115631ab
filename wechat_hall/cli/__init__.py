"""`flask …` commands, in groups: menu, jobs, demo, staff, tradefeed."""


def register(app):
    from . import demo, jobs, menu, staff, tradefeed, vote
    for group in (menu.group, jobs.group, demo.group, staff.group, tradefeed.group, vote.group):
        app.cli.add_command(group)
