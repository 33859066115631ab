"""outbox request id

The request (or timed job) that asked for an outbox job, so the job's log lines carry
the same request id as the push or page that caused it (issue 17).

Revision ID: e473855c962d
Revises: 1d344d06ed90
Create Date: 2026-12-01 12:19:35.284186

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e473855c962d'
down_revision = '1d344d06ed90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_job', schema=None) as batch_op:
        batch_op.drop_column('request_id')
