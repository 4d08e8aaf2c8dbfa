"""Users, roles and logging in."""


def domain():
    from conference.accounts import cli, demo, views
    from conference.accounts.models import User
    from conference.core.domains import Domain, Step

    return Domain(
        name="accounts",
        blueprints=(views.bp,),
        commands=(cli.users_cli,),
        permissions={"users.manage": frozenset({"admin"})},
        demo_steps=(Step("accounts", demo.load_users),),
        demo_notes=(demo.demo_logins,),
        personal_data={User: ("email", "display_name")},
    )
