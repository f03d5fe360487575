"""ceremony: offline key ceremonies and root-key custody.

The core (this package, minus ``ceremony.tui``) never imports a UI toolkit,
never prints and never prompts: it turns a validated plan into a stream of
events and asks an Operator for anything a person must decide or type.
"""

__version__ = "0.1.0"
