"""The database user that runs the migrations may act as ``graphmem_app``.

The server runs its requests as ``graphmem_app`` by setting the role at connect (``-c role=…``),
so the user of ``GRAPHMEM_DATABASE_URL`` must be a member of it that may ``SET ROLE`` to it. A
superuser (the embedded server's ``postgres``) already may. Any other user is granted the
membership here when it is allowed to grant it (it created the role in 0003 with CREATEROLE, or
holds ADMIN OPTION on it); otherwise a warning asks an administrator to run
``GRANT graphmem_app TO <user>``, and the server refuses to start until that is done.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APP_ROLE = "graphmem_app"

# PostgreSQL 16 split membership into INHERIT and SET options, and a CREATEROLE user's implicit
# membership in a role it creates has SET FALSE; before 16, any membership allows SET ROLE.
GRANT = f"""
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN;
    END IF;
    IF current_setting('server_version_num')::int >= 160000 THEN
        IF NOT pg_has_role(current_user, '{APP_ROLE}', 'SET') THEN
            EXECUTE format('GRANT {APP_ROLE} TO %I WITH INHERIT FALSE, SET TRUE', current_user);
        END IF;
    ELSIF NOT pg_has_role(current_user, '{APP_ROLE}', 'MEMBER') THEN
        EXECUTE format('GRANT {APP_ROLE} TO %I', current_user);
    END IF;
EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
    RAISE WARNING 'graphmem: % may not grant itself {APP_ROLE} (%); an administrator must run: GRANT {APP_ROLE} TO %',
        current_user, SQLERRM, quote_ident(current_user);
END $$;
"""


def upgrade() -> None:
    op.execute(GRANT)


def downgrade() -> None:
    pass  # the membership is harmless without the server, and other databases may rely on it
