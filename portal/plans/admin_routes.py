"""The action plans' admin pages: none yet beyond what routes.py gives admins (plans are built from the demo or
the command line)."""
