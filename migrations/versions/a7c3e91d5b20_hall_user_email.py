"""hall user email

The hall account's optional, verified e-mail address (PUB-2), one per account, for
找回密码 by e-mail (ACC-7, issue 16).

Revision ID: a7c3e91d5b20
Revises: 2fdbf0976f83
Create Date: 2026-12-01 14:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91d5b20'
down_revision = '2fdbf0976f83'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hall_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_hall_user_email'), ['email'])


def downgrade():
    with op.batch_alter_table('hall_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_hall_user_email'), type_='unique')
        batch_op.drop_column('email')
