"""coalign: human-AI co-alignment on Inspect AI.

Evaluate models and agents for safety and value alignment, put doubtful cases in front of
people who make the final decision, turn those decisions into LoRA-DPO corrections, and
compute AI-governance composite indices.
"""

__version__ = "0.1.0"
