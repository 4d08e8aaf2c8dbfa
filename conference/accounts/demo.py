from flask import current_app

from conference.accounts import services

DEMO_USERS = [
    ("admin@example.org", "admin", "系统管理员"),
    ("organizer@example.org", "organizer", "会务组 演示账号"),
    ("viewer@example.org", "viewer", "只读 演示账号"),
]


def load_users() -> list[str]:
    created = 0
    for email, role, name in DEMO_USERS:
        if services.find_by_email(email) is None:
            services.create_user(email, current_app.config["DEMO_PASSWORD"], role, name)
            created += 1
    return [f"Demo accounts: {created} created, {len(DEMO_USERS) - created} already there."]


def demo_logins() -> list[str]:
    password = current_app.config["DEMO_PASSWORD"]
    return [
        f"Sign in as {email} with password {password} ({role})"
        for email, role, _ in DEMO_USERS
        if services.find_by_email(email) is not None
    ]
