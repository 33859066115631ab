"""Forms and fields of the back office (every view of this package uses them).

Every form is a Flask-Admin SecureForm whose token is Flask-WTF's, so the app-wide
CSRFProtect and the form's own check agree on one ``csrf_token``.
"""
from flask import current_app
from flask_admin.babel import Translations
from flask_admin.form import SecureForm

# Private, but it is the token FlaskForm itself uses (Flask-WTF 1.3.0 is pinned).
from flask_wtf.csrf import _FlaskFormCSRF
from wtforms import BooleanField, PasswordField, SelectChoice, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from models import ROLES
from wechat_hall.services.accounts import staff_users
from wechat_hall.services.errors import Rejected


class FormWords(Translations):
    """WTForms' Chinese (through Flask-Admin), plus words its catalogues lack."""

    EXTRA = {"Not a valid choice": "请从列表中选择。"}

    def gettext(self, string):
        return self.EXTRA.get(string) or super().gettext(string)


class AdminForm(SecureForm):
    """SecureForm with Flask-WTF's token: the same ``csrf_token`` every staff form uses."""

    class Meta:
        _words = FormWords()
        csrf_class = _FlaskFormCSRF
        csrf_field_name = "csrf_token"

        def get_translations(self, form):
            return self._words

        @property
        def csrf(self):
            return current_app.config.get("WTF_CSRF_ENABLED", True)

        @property
        def csrf_secret(self):
            return current_app.config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)

        @property
        def csrf_time_limit(self):
            return current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)


class _NotStored:
    """A form field that the view reads itself; ``populate_obj`` leaves the model alone."""

    def populate_obj(self, obj, name):
        pass


class PasswordInput(_NotStored, PasswordField):
    pass


class Checkbox(_NotStored, BooleanField):
    pass


class RolesField(SelectMultipleField):
    """Roles as check boxes; stored on the model as space-separated names."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        choices = [SelectChoice(name, label) for name, label in ROLES.items()]
        super().__init__(label, validators, choices=choices, **kwargs)

    def process_data(self, value):
        self.data = value.split() if isinstance(value, str) else list(value or [])

    def populate_obj(self, obj, name):
        setattr(obj, name, " ".join(self.data or []))


def password_policy(form, field):
    if field.data:
        try:
            staff_users.check_password_rules(field.data)
        except staff_users.PasswordRejected as exc:
            raise ValidationError(str(exc)) from None


def rule(check, *other_fields):
    """A field validator that asks the service's rule, so its message shows beside the
    field and the rule itself stays in the service: ``check(*others, value)`` raises
    ``Rejected``; ``other_fields`` name fields of the form whose values come first."""
    def validate(form, field):
        try:
            check(*(form[name].data for name in other_fields), field.data)
        except Rejected as exc:
            raise ValidationError(str(exc)) from None
    return validate


def strip(value):
    return value.strip() if isinstance(value, str) else value
