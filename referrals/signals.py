from django.dispatch import Signal

# Sent inside the transaction that erased a referral's free text and case hash (consent withdrawn,
# retention), with `referral_id`: whoever keeps copies of its content must erase them too.
referral_content_erased = Signal()
