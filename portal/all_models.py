"""Import every domain's models so the metadata (and Alembic's autogenerate) sees all tables."""

from portal.accounts import models as accounts_models  # noqa: F401
from portal.main import models as main_models  # noqa: F401
from portal.org import models as org_models  # noqa: F401
