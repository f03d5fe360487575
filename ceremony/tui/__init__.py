"""The terminal UI: guided ceremonies for a room of operators and witnesses.

This is the only package that imports ``textual``. It is a thin front end
over the core: it runs the engine's event stream in a worker thread, draws
each event, and answers the engine's Operator questions with modal screens.
It builds no domain objects of its own and never holds a secret longer than
the engine asks for it. The core never imports anything from here.
"""
