"""Forms of the staff pages (Flask-WTF: every POST carries the CSRF token)."""
from h5.forms import HallForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length


class LoginForm(HallForm):
    username = StringField("用户名", validators=[InputRequired("请输入用户名"), Length(max=64)],
                           filters=[lambda v: v.strip() if v else v])
    password = PasswordField("密码", validators=[InputRequired("请输入密码"), Length(max=128)])
    next = HiddenField()


class LogoutForm(HallForm):
    """Only the CSRF token: logging out is a POST so another site cannot do it."""
