"""Starting a crawl or command on a database already at the newest schema skips Alembic: the newest revision
read from the migration files must be Alembic's own head, and a database at it is left alone."""

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from cinegraph_scrapy.db.engine import _migrations_dir, current_revision, get_engine, head_revision, upgrade_schema


def test_the_head_read_from_the_files_is_alembics():
    directory, _ = _migrations_dir()
    config = Config()
    config.set_main_option("script_location", str(directory))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_a_new_database_is_migrated_and_one_at_the_head_does_not_start_alembic(tmp_path, monkeypatch):
    import alembic.command

    engine = get_engine(f"sqlite:///{tmp_path}/schema.db")
    assert current_revision(engine) is None
    upgrade_schema(engine)
    assert current_revision(engine) == head_revision()

    def refuse(*args, **kwargs):
        raise AssertionError("Alembic ran on a database at the newest revision")

    monkeypatch.setattr(alembic.command, "upgrade", refuse)
    upgrade_schema(engine)  # at the head: nothing to do
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    try:
        upgrade_schema(engine)  # one behind: Alembic is asked
    except AssertionError as exc:
        assert "Alembic ran" in str(exc)
    else:
        raise AssertionError("a database behind the head was not migrated")
