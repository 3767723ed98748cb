"""/login and /logout: signing in with a username and password, rate-limited."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from store.users import PASSWORD_MAX, authenticate
from webmap.accounts import Account
from webmap.attempt_limit import AttemptLimit
from webmap.database import transaction
from webmap.i18n import COOKIE as LANGUAGE_COOKIE

bp = Blueprint("sign_in", __name__)


class SignInForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=40)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=PASSWORD_MAX)])
    remember = BooleanField(_l("在此设备上保持登录"), default=True)


def safe_next(target: str | None) -> str:
    """Only a path on this site: `next` must never send a user to another host."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return url_for("pages.index")
    return target


def _attempts() -> AttemptLimit:
    return current_app.extensions["sign_in_attempts"]


def _page(form: SignInForm, target: str, refused: str | None, status: int):
    return render_template("sign_in.html", form=form, refused=refused, next=target, title=_("登录")), status


@bp.route("/login", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    target = safe_next(request.args.get("next"))
    if request.method == "POST" and (wait := _attempts().retry_after(request.remote_addr or "")):
        response = make_response(_page(form, target, ngettext("登录尝试过多，请 %(num)d 秒后再试。", "登录尝试过多，请 %(num)d 秒后再试。", wait), 429))
        response.headers["Retry-After"] = str(wait)
        return response
    refused = None
    if form.validate_on_submit():
        with transaction() as s:
            user = authenticate(s, form.username.data, form.password.data)
            account = Account.of(user) if user is not None else None
        if account is not None:
            session.clear()  # a fresh session: nothing from before signing in carries over (fixation)
            login_user(account, remember=form.remember.data)
            response = redirect(target)
            response.set_cookie(LANGUAGE_COOKIE, account.language, max_age=365 * 24 * 3600, samesite="Lax")
            return response
        _attempts().failed(request.remote_addr or "")
        refused = _("用户名或密码不正确，或账号已停用。")
    return _page(form, target, refused, 401 if refused else 400 if form.errors else 200)


@bp.post("/logout")
def sign_out():
    logout_user()  # also has the "remember me" cookie deleted
    session.pop("csrf_token", None)
    return redirect(url_for("sign_in.sign_in"))


def init_app(app: Flask) -> None:
    app.extensions["sign_in_attempts"] = AttemptLimit(app.config["SIGN_IN_RATE_LIMIT"], app.config["RATELIMIT_STORAGE_URI"])
    app.register_blueprint(bp)
