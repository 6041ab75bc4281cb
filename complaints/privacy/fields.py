from django.db import models

from complaints.privacy.crypto import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):
    """A text column stored encrypted (see crypto.py); empty stays empty, never searchable.

    The length limit applies to the clear text (``max_length`` is checked by forms and
    ``full_clean``); the column itself is unbounded because ciphertext is longer.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt_text(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt_text(value)

    def db_type(self, connection):
        return models.TextField().db_type(connection)
