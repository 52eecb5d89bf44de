"""Course data sets: fetch from the official address or a local mirror, verify, cache, place.

    fetch("mnist")                      # -> cached path, verified
    place("mnist", Path("assignments/c1w2-mnist-callback/data"))
    (x_train, y_train), (x_test, y_test) = load_mnist()   # re-verified on every call

Sources, in order: an already verified cache entry; a mirror folder (`mirror=` or
`$AUTOGRADER_DATA_MIRROR`, the CLI's `--mirror DIR`) holding the files under their official
names; else a download from the official address. Everything is verified by content before it
enters the cache, and every change to the cache or to a `data/` folder is built in a temporary
sibling and renamed into place, so a failure never leaves a half-written data set behind.

Cache layout (`cache_dir()`): one folder per data set, holding the data and `.stamp.json`,
which records what was verified and the size and mtime of every file, so that a later `fetch`
is a quick `stat` walk, yet a changed or missing file is noticed and fetched again.
"""
from autograder.data.cache import cache_dir
from autograder.data.catalogue import ALLOW_REDUCED_ENV, CACHE_ENV, DATASETS, MIRROR_ENV, Dataset, DataError
from autograder.data.fetching import fetch, load_mnist, place, variant

__all__ = ["ALLOW_REDUCED_ENV", "CACHE_ENV", "DATASETS", "MIRROR_ENV", "Dataset", "DataError",
           "cache_dir", "fetch", "load_mnist", "place", "variant"]
