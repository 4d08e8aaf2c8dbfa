import hashlib

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from conference.accounts import invitations, services
from conference.accounts.forms import LoginForm, UserForm, WelcomeForm
from conference.accounts.models import User
from conference.core.database import committed
from conference.core.domains import home_of
from conference.core.permissions import ROLES, permission_required
from conference.core.urls import safe_next
from conference.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The session and the remember-me cookie carry the user's session token, not their id."""
    return services.find_by_session_token(session_token)


# Sign-in attempts are counted per account and address, per account, and per address (the
# limits and why: config.py). A limited account is the submitted email, hashed: the limiter's
# storage never holds addresses people typed.
def _account_key() -> str:
    email = services.normalise_email(request.form.get("email", ""))
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def _account_and_address_key() -> str:
    return f"{_account_key()}:{get_remote_address()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    methods=["POST"],
    key_func=_account_and_address_key,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], methods=["POST"], key_func=_account_key
)
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = committed(lambda: services.authenticate(form.email.data, form.password.data))
        if user is not None:
            session.clear()  # nothing from before the sign-in (a planted value, a token) survives it
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), home_of(user) or url_for("editions.index")))
        form.password.errors.append(_("Email or password is incorrect."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Ends this session and every other one of the user, remember-me cookies included."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        committed(lambda: services.sign_out(user))
    session.clear()
    logout_user()  # after clear(): it asks for the remember-me cookie to be deleted
    flash(_("You have signed out."), "info")
    return redirect(url_for("editions.home"))


@bp.route("/users", methods=["GET", "POST"])
@permission_required("users.manage")
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = committed(lambda: services.create_user(
                form.email.data, form.password.data, form.role.data, form.display_name.data
            ))
        except services.AccountError as error:
            form.show(error, "email")
        else:
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    people = db.session.execute(select(User).order_by(User.email)).scalars().all()
    return render_template("accounts/users.html", form=form, users=people, roles=ROLES)


@bp.route("/account")
@login_required
def account():
    return render_template("accounts/account.html", user=current_user, roles=ROLES)


@bp.after_app_request
def _invitations_stay_private(response):
    if request.path.startswith("/account/welcome/"):
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/account/welcome/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], methods=["POST"])
def welcome(token):
    """An invitation's link: the invited person chooses their password, and is signed in."""
    try:
        invited = invitations.user_for(token)
    except invitations.InvitationError as error:
        return render_template("accounts/welcome.html", problem=error.message, form=None), 410
    form = WelcomeForm()
    if form.validate_on_submit():
        try:
            user = committed(lambda: invitations.accept(token, form.password.data))
        except invitations.InvitationError as error:
            return render_template("accounts/welcome.html", problem=error.message, form=None), 410
        except services.AccountError as error:
            form.show(error, "password")
        else:
            session.clear()
            login_user(user)
            flash(_("Your password is set. Welcome!"), "success")
            return redirect(home_of(user) or url_for("accounts.account"))
    status = 422 if form.errors else 200
    return render_template("accounts/welcome.html", form=form, user=invited, problem=None), status
