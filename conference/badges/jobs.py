from conference.badges import services
from conference.extensions import huey


@huey.task()
def render_batch(batch_id: int) -> None:
    from conference.core.jobs import app_context

    with app_context():
        try:
            services.run_batch(batch_id)
        except Exception as error:
            from conference.badges.models import BadgeBatch
            from conference.extensions import db

            db.session.rollback()
            batch = db.session.get(BadgeBatch, batch_id)
            batch.status, batch.error = "failed", str(error)[:500]
            db.session.commit()
            raise
