"""What an informant gives to be rewarded, as the form shapes it for the informant service."""

from dataclasses import dataclass


@dataclass(frozen=True)
class IdentityInput:
    """What an informant gives to receive a reward: all three, or nothing at all."""

    name: str
    phone: str
    payment_account: str
