"""The shop's call assistant: a shop profile, slot parsers, booking rules, FAQ retrieval and a
form-filling dialogue manager, all classic parts that can be tested (no language model).

``moksori assistant simulate`` runs scripted calls through it (docs/assistant.md).
"""
