"""Forms of the account pages (ACC-1..8). Flask-WTF gives each a CSRF token; the rules
themselves (phone format, password strength, ID check digits …) are in the services, whose
refusals name the field they belong to (:func:`refuse`)."""
from h5.forms import HallForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from models.registry import HOLDER_TYPES, INDIVIDUAL
from wechat_hall.services.accounts import id_numbers, sms_codes


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _phone(label="手机号码"):
    return StringField(label, validators=[InputRequired("请输入手机号码"), Length(max=20)],
                       filters=[_strip])


def _code(label="手机验证码", message="请输入手机验证码"):
    return StringField(label, validators=[InputRequired(message), Length(max=12)],
                       filters=[_strip])


def _captcha():
    return StringField("验证码", validators=[InputRequired("请输入图形验证码"), Length(max=12)],
                       filters=[_strip])


def _password(label, message):
    return PasswordField(label, validators=[InputRequired(message), Length(max=64)])


def refuse(form, exc):
    """Put a service's refusal on its field (or on the form when it names none)."""
    field = getattr(form, getattr(exc, "field", None) or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [str(exc)]
        return None
    return str(exc)


def sms_code_ok(form, phone, purpose, field="code"):
    """The SMS code typed into ``field`` is the one sent to ``phone`` for ``purpose``; a
    refused one puts the reason on that field."""
    try:
        sms_codes.verify_code(phone, purpose, getattr(form, field).data)
        return True
    except sms_codes.CodeRefused as exc:
        getattr(form, field).errors = list(getattr(form, field).errors) + [str(exc)]
        return False


class RegisterForm(HallForm):
    """Web hall: one page. WeChat: this page without the password fields, then
    :class:`PasswordStepForm`."""
    phone = _phone()
    nickname = StringField("昵称", validators=[Length(max=32)], filters=[_strip])
    password = _password("登录密码", "请设置登录密码")
    confirm = _password("确认密码", "请再次输入密码")
    code = _code()
    captcha = _captcha()
    agree = BooleanField("我已阅读并接受")


class PasswordStepForm(HallForm):
    password = _password("登录密码", "请设置登录密码")
    confirm = _password("确认密码", "请再次输入密码")


class LoginForm(HallForm):
    phone = _phone("手机号")
    password = _password("密码", "请输入密码")
    captcha = _captcha()
    next = HiddenField()


class BindForm(HallForm):
    phone = _phone()
    code = _code("短信验证码")


class EmptyForm(HallForm):
    """Only the CSRF token: buttons that change something (解除绑定, 立即登录 …)."""


class ChangePasswordForm(HallForm):
    old_password = _password("原密码", "原密码不能为空")
    password = _password("新密码", "请输入新密码")
    confirm = _password("确认密码", "请再次输入新密码")


class NewPhoneForm(HallForm):
    phone = _phone("新手机号码")
    code = _code()


class SmsCodeForm(HallForm):
    code = _code()


class RecoverStartForm(HallForm):
    """手机号（或电子邮箱）: the field keeps its name ``phone``."""
    phone = StringField("手机号/邮箱", validators=[InputRequired("请输入手机号或电子邮箱"),
                                               Length(max=254)], filters=[_strip])
    captcha = _captcha()


def _email():
    return StringField("电子邮箱", validators=[InputRequired("请输入电子邮箱"), Length(max=254)],
                       filters=[_strip])


class EmailForm(HallForm):
    """设置/修改电子邮箱: the address and the code mailed to it."""
    email = _email()
    code = _code("邮箱验证码", "请输入邮箱验证码")


class EmailCodeForm(HallForm):
    """找回密码 by e-mail: the code mailed to the address."""
    code = _code("邮箱验证码", "请输入邮箱验证码")


class NewPasswordForm(HallForm):
    password = _password("新密码", "请输入新密码")
    confirm = _password("确认新密码", "请再次输入新密码")


def _holder_choices():
    return [("", "请选择用户类型")] + list(HOLDER_TYPES.items())


def _id_type_choices(holder_type=None):
    types = id_numbers.id_types_for(holder_type) if holder_type else id_numbers.ID_TYPES.values()
    return [("", "请选择证件类型")] + [(t.code, t.label) for t in types]


def id_types_by_holder():
    """用户类型 → its 证件类型 (code, label, the number's format as the field's hint), for
    the page script that fills the second select and says what the number looks like."""
    return {holder: [(t.code, t.label, t.hint) for t in id_numbers.id_types_for(holder)]
            for holder in HOLDER_TYPES}


class IdentityForm(HallForm):
    """Step 1 输入用户信息: 用户类型, 证件类型, 证件号码 (WeChat: individuals only)."""
    holder_type = SelectField("用户类型", choices=_holder_choices(), default=INDIVIDUAL,
                              validate_choice=False)
    id_type = SelectField("证件类型", choices=_id_type_choices(), validate_choice=False)
    id_number = StringField("证件号码", validators=[InputRequired("请输入证件号码"),
                                                Length(max=40)], filters=[_strip])
    captcha = _captcha()

    def for_wechat(self):
        self.holder_type.choices = [(INDIVIDUAL, HOLDER_TYPES[INDIVIDUAL])]
        self.id_type.choices = _id_type_choices(INDIVIDUAL)
        return self


class BankCardForm(HallForm):
    card_number = StringField("银行卡号", validators=[InputRequired("请输入银行卡号"),
                                                  Length(max=30)], filters=[_strip])
    bank_phone = _phone("银行预留手机号")
    code = _code()


class AccountForm(HallForm):
    account = StringField("证券账户", validators=[InputRequired("请输入证券账户"), Length(max=20)],
                          filters=[_strip])


class CounterForm(AccountForm):
    broker = SelectField("证券公司", choices=[], validate_choice=False)
    branch = SelectField("营业部", choices=[], validate_choice=False)


class CounterDecisionForm(HallForm):
    id_number = StringField("证件号码", validators=[Length(max=40)], filters=[_strip])
    reason = StringField("不通过原因", validators=[Length(max=400)], filters=[_strip])
