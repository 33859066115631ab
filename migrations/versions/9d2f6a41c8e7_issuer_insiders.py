"""issuer insiders (董监高) declared by their issuer

Revision ID: 9d2f6a41c8e7
Revises: c5b48c13a394
Create Date: 2026-12-01 16:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d2f6a41c8e7'
down_revision = 'c5b48c13a394'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('issuer_insider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=20), nullable=False),
    sa.Column('id_type', sa.String(length=32), nullable=False),
    sa.Column('id_number', sa.String(length=40), nullable=False),
    sa.Column('declared_by_id', sa.Integer(), nullable=False),
    sa.Column('declared_at', sa.DateTime(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['declared_by_id'], ['issuer_contact.id'], name=op.f('fk_issuer_insider_declared_by_id_issuer_contact')),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuer.id'], name=op.f('fk_issuer_insider_issuer_id_issuer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuer_insider'))
    )
    with op.batch_alter_table('issuer_insider', schema=None) as batch_op:
        batch_op.create_index('ix_issuer_insider_issuer_person', ['issuer_id', 'id_type', 'id_number'], unique=False)


def downgrade():
    with op.batch_alter_table('issuer_insider', schema=None) as batch_op:
        batch_op.drop_index('ix_issuer_insider_issuer_person')

    op.drop_table('issuer_insider')
