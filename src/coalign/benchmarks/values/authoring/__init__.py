"""Tools that make the values data (not needed to run the task): ``build`` composes the shipped
synthetic dataset, ``generate`` drafts new personas and items with a model, ``importers`` read
MVPBench/DiverValue-Bench and PRISM data into this benchmark's schema."""
