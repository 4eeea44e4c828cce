"""Platform adapters: platform objects in, core messages out, core replies rendered."""
