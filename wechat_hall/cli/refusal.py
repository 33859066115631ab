"""A command's refusal, said in plain Chinese on stderr: click's ClickException without its
English "Error:" prefix (exit status 1, or 2 for a malformed argument)."""
import click


class Refused(click.ClickException):
    def __init__(self, message, exit_code=1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None):
        click.echo(self.format_message(), err=True, file=file)
