"""Personal-data protection: field encryption, keyed hashes, access codes, upload sanitising."""
