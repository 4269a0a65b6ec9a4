from django.dispatch import Signal

# Sent inside the transaction that erased a referral's free text and case hash (consent withdrawn,
# retention), with `referral_id`: whoever keeps copies of its content must erase them too.
referral_content_erased = Signal()

# Sent inside the transaction that wrote an outbox event, with `event` (the OutboxEvent): whoever
# relays the outbox may schedule a relay for after the commit. The periodic sweep is the backstop.
outbox_event_written = Signal()
