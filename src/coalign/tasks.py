"""Every Inspect task coalign ships; importing this module registers them with Inspect."""
