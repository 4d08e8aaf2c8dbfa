import click
from flask.cli import AppGroup
from sqlalchemy import select

from conference.accounts import services
from conference.accounts.models import User
from conference.core.database import committed
from conference.core.permissions import ROLES
from conference.extensions import db

users_cli = AppGroup("users", help="Accounts of the people who run the conference.")


@users_cli.command("create")
@click.option("--email", required=True, help="Login email.")
@click.option("--role", required=True, type=click.Choice(list(ROLES)), help="What they may do.")
@click.option("--name", "display_name", default="", help="Name shown in the interface.")
@click.password_option(help="Asked for when not given (typed twice, not echoed).")
def create(email: str, role: str, display_name: str, password: str) -> None:
    """Create an account; the password is asked for twice and never echoed."""
    try:
        user = committed(lambda: services.create_user(email, password, role, display_name))
    except services.AccountError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Created {user.email} ({user.role}).")


@users_cli.command("list")
def list_users() -> None:
    """Every account with its role and whether it is active."""
    for user in db.session.execute(select(User).order_by(User.email)).scalars():
        state = "active" if user.active else "disabled"
        click.echo(f"{user.email}\t{user.role}\t{state}")


@users_cli.command("set-role")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(list(ROLES)))
def set_role(email: str, role: str) -> None:
    """Change what an account may do."""
    user = services.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account {email}.")
    committed(lambda: services.set_role(user, role))
    click.echo(f"{user.email} is now {role}.")
