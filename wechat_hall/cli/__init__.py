"""`flask …` commands, in groups: menu, jobs, demo, staff."""


def register(app):
    from . import demo, jobs, menu, staff
    for group in (menu.group, jobs.group, demo.group, staff.group):
        app.cli.add_command(group)
