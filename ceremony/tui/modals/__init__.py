"""Modal screens, one a file: the engine's questions, errors, "are you sure?".

Each modal is typed by what it gives back (``ModalScreen[T]``). The
operator's questions (``question.QuestionModal`` and its kinds: confirm,
secret, choice, hand_out, share) give back ``None`` when the operator stops
the ceremony instead; ``ask`` and ``error`` are the UI's own. Secrets are
typed in masked fields, cleared as soon as they are handed over, and never
shown, logged or put in a message.

This package imports none of its modals: each is imported from its own
module when first shown, so the first screen paints without them.
"""
