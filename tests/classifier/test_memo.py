from classifier.memo import BoundedCache


def test_a_bounded_cache_remembers_until_full_then_starts_again_from_its_initial_entries():
    cache = BoundedCache(3, initial={None: ()})
    assert cache.keep("a", 1) == 1
    cache.keep("b", 2)
    assert (cache.get("a"), cache.get("b"), cache.get(None)) == (1, 2, ())

    cache.keep("c", 3)  # full: forgets a and b, keeps what it started with

    assert cache == {None: (), "c": 3}
    assert len(cache) <= cache.limit
