"""The demo's generated pictures: a street of its own per case, before and after its handling."""

import hashlib

from PIL import ImageChops

from demo.cases import photo
from demo.images import street_scene


def test_each_seed_draws_its_own_street():
    digests = {
        hashlib.sha256(street_scene(seed, after=True).tobytes()).digest() for seed in range(40)
    }
    assert len(digests) == 40


def test_before_and_after_show_the_same_street_with_and_without_the_problem():
    for seed in range(8):
        before, after = street_scene(seed, after=False), street_scene(seed, after=True)
        changed = ImageChops.difference(before, after).convert("L").point(lambda v: v > 0)
        share = sum(changed.getdata()) / (before.width * before.height)
        # The problem (litter, a stall, graffiti, a broken railing) is there before, and it
        # is all that differs: the street itself is the same.
        assert 0.002 < share < 0.15, (seed, share)


def test_case_photos_are_distinct_jpeg_pairs():
    pairs = [(photo(seed, after=False), photo(seed, after=True)) for seed in range(1, 13)]
    digests = [p.sha256 for pair in pairs for p in pair]
    assert len(set(digests)) == len(digests)
    for pair in pairs:
        for picture in pair:
            assert picture.content[:2] == b"\xff\xd8"  # a JPEG
            assert (picture.width, picture.height) == (480, 320)
