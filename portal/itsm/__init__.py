"""ITSM link: the hardware inventory, locations, field interventions and asset transfers from ServiceNow."""
