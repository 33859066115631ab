"""calendar notice days, appointment cancel reason

The State Council's holiday notice as `flask calendar import` loads it, and why an
appointment was cancelled when the hall closed its day (issue 16).

Revision ID: 6bf2fbf69653
Revises: 729e759e1ca2
Create Date: 2026-12-01 11:01:31.952345

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6bf2fbf69653'
down_revision = '729e759e1ca2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_notice_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=128), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_notice_day')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_notice_day_day'))
    )
    with op.batch_alter_table('calendar_notice_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_notice_day_year'), ['year'], unique=False)

    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=64), nullable=True))



def downgrade():
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')

    with op.batch_alter_table('calendar_notice_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_notice_day_year'))

    op.drop_table('calendar_notice_day')
