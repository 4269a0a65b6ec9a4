from django.dispatch import Signal

# Sent inside the transaction that erased a referral's free text and case hash (consent withdrawn,
# retention), with `referral_id`: whoever keeps copies of its content must erase them too.
referral_content_erased = Signal()

# Sent inside the transaction that wrote an outbox event, with `event_id`: whoever relays the
# outbox may nudge its relay once the transaction commits (the periodic sweep relays it otherwise).
outbox_event_written = Signal()

# Sent inside the transaction that recorded a person's consent withdrawal on a referral (and on
# each referral referred onward from it), with `referral_id`: whoever holds cases built on the
# referral (returns) must end them too.
referral_consent_withdrawn = Signal()
