"""Storage: the office inbox database (SQLAlchemy, schema by Alembic) and the content-addressed
files. The only package that touches the disk and the database."""
