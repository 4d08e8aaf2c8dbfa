"""jobs: one table for background work with progress, in place of badge_batches

Revision ID: a7e3c2d9f104
Revises: 4c1e2a9b7d30
Create Date: 2026-12-01 07:05:00.000000

Badge batches become jobs of kind "badges.batch" with the same ids (old links redirect by
id), their files left where they are (instance/badges/), and their audit entries follow them.
"""
from alembic import op
import sqlalchemy as sa

import conference.core.models


# revision identifiers, used by Alembic.
revision = 'a7e3c2d9f104'
down_revision = '4c1e2a9b7d30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jobs',
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('requested_by', sa.String(length=254), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('file_path', sa.String(length=255), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('started_at', conference.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', conference.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', conference.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', conference.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_jobs_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_edition_id'), ['edition_id'], unique=False)

    op.execute(
        "INSERT INTO jobs (id, kind, edition_id, params, requested_by, status, total, done, skipped, file_path, "
        "error, created_at, updated_at) "
        "SELECT id, 'badges.batch', edition_id, filters, requested_by, status, total, done, skipped, "
        "CASE WHEN file_name IS NULL THEN NULL ELSE 'badges/' || file_name END, error, created_at, updated_at "
        "FROM badge_batches"
    )
    if op.get_bind().dialect.name == 'postgresql':  # the ids were copied: the sequence goes on after them
        op.execute("SELECT setval(pg_get_serial_sequence('jobs', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM jobs")
    op.execute("UPDATE audit_entries SET target_type = 'jobs' WHERE target_type = 'badge_batches'")

    with op.batch_alter_table('badge_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_batches_edition_id'))
    op.drop_table('badge_batches')


def downgrade():
    op.create_table('badge_batches',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('file_name', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=254), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', conference.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', conference.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_badge_batches_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_batches'))
    )
    with op.batch_alter_table('badge_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_batches_edition_id'), ['edition_id'], unique=False)
    # Only files still under instance/badges/ can be named again; newer batches keep no file.
    op.execute(
        "INSERT INTO badge_batches (id, edition_id, filters, status, total, done, skipped, file_name, error, "
        "requested_by, created_at, updated_at) "
        "SELECT id, edition_id, params, status, total, done, skipped, "
        "CASE WHEN file_path LIKE 'badges/%' THEN SUBSTR(file_path, 8) ELSE NULL END, error, requested_by, "
        "created_at, updated_at FROM jobs WHERE kind = 'badges.batch'"
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('badge_batches', 'id'), COALESCE(MAX(id), 0) + 1, false) "
                   "FROM badge_batches")
    op.execute("UPDATE audit_entries SET target_type = 'badge_batches' WHERE target_type = 'jobs'")

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_edition_id'))
    op.drop_table('jobs')
