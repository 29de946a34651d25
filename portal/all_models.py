"""Import every domain's models so the metadata (and Alembic's autogenerate) sees all tables."""

from portal import reference_cache
from portal.domains import domain_modules

MODELS = (reference_cache, *domain_modules("models"))
