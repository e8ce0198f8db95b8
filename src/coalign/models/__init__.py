"""Inspect model providers: the embedded GGUF model, any local GGUF, and the scripted model."""
