"""Organisation: communes, sites and org units (directions and services)."""
