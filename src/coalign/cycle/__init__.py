"""The co-alignment cycle: the demo orchestration, the automated reviewer stand-in, reports."""
