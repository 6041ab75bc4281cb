"""The portal's settings plus one bare view, so a benchmark can compare against Django itself."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
