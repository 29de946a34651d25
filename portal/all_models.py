"""Import every domain's models so the metadata (and Alembic's autogenerate) sees all tables."""

from portal.domains import domain_modules

MODELS = tuple(domain_modules("models"))
