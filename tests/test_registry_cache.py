"""The on-disk cache: one request per distinct ID per day across scans and worker processes, time-to-live per
source, error answers kept briefly, request spacing, 429 blocks, the daily budget, a damaged file."""

from __future__ import annotations

import asyncio
import multiprocessing
import sqlite3
import time

from registry_fakes import RegisterServer, fixture_route, plain_client, slow, tax_id, worker_lookup

from trustaudit.registry import RegStatus, verify
from trustaudit.registry import data as regdata
from trustaudit.registry.cache import FILE_NAME, Store, store_for


def run(srv, cache, ids, **table):
    cfg = srv.config(cache, **table)
    return asyncio.run(verify(ids, config=cfg, client_factory=plain_client, deadline=time.monotonic() + 10))


def test_second_scan_reuses_the_answer(tmp_path):
    with RegisterServer({"/wl/api/search/nip/*": fixture_route("wl_active.json")}) as srv:
        first = run(srv, tmp_path, [tax_id("pl.nip", "9512381607")]).ids[0].record
        second = run(srv, tmp_path, [tax_id("pl.nip", "9512381607")]).ids[0].record
        assert len(srv.hits("/wl/")) == 1
    assert not first.cached and second.cached
    assert second.status is RegStatus.ACTIVE and second.checked_at == first.checked_at
    assert (tmp_path / FILE_NAME).is_file()


def test_answers_expire_after_their_time_to_live(tmp_path):
    st = Store(tmp_path)
    st.put("pl_wl", "k", {"source": "pl_wl", "status": "active"}, ttl=regdata.sources()["pl_wl"].ttl_s)
    assert st.get("pl_wl", "k") is not None
    assert st.get("pl_wl", "k", now=time.time() + 86400 + 1) is None  # a day later: asked again
    assert regdata.sources()["pl_krs"].ttl_s > regdata.sources()["vies"].ttl_s  # per-source TTLs from data


def test_unknown_answers_are_kept_briefly_so_a_batch_does_not_hammer(tmp_path):
    with RegisterServer({"/vies/check-vat-number": fixture_route("vies_ms_unavailable.json", status=500)}) as srv:
        a = run(srv, tmp_path, [tax_id("de.vat", "136695976")]).ids[0].record
        b = run(srv, tmp_path, [tax_id("de.vat", "136695976")]).ids[0].record
        assert len(srv.bodies) == 1
        ns = srv.config(tmp_path).cache_ns("vies")
    assert a.status is b.status is RegStatus.UNKNOWN and b.cached and "MS_UNAVAILABLE" in b.error
    st = store_for(tmp_path)
    assert st.get(ns, "DE136695976") is not None and ns != "vies"  # a replay server's answers are its own
    assert st.get(ns, "DE136695976", now=time.time() + regdata.sources()["vies"].error_ttl_s + 1) is None


def test_worker_processes_share_one_request_per_id(tmp_path):
    """Three processes scanning shops with the same NIP at the same moment: the register is asked once."""
    route = slow(1.0, fixture_route("wl_active.json"))
    with RegisterServer({"/wl/api/search/nip/*": route}) as srv:
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        procs = [ctx.Process(target=worker_lookup, args=(srv.url, str(tmp_path), "pl.nip", "9512381607", out))
                 for _ in range(3)]
        for p in procs:
            p.start()
        results = [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=30)
        assert len(srv.hits("/wl/")) == 1
    assert [r[0] for r in results] == ["active"] * 3
    assert sorted(r[1] for r in results) == [False, True, True]  # one asked, two waited for its answer
    assert len({r[2] for r in results}) == 1


def test_threads_of_one_process_share_one_request_per_id(tmp_path):
    """The batch's thread pool: scans in threads of one process, each with its own event loop."""
    import threading

    with RegisterServer({"/wl/api/search/nip/*": slow(0.8, fixture_route("wl_active.json"))}) as srv:
        results = []
        threads = [threading.Thread(target=lambda: results.append(
            run(srv, tmp_path, [tax_id("pl.nip", "9512381607")]).ids[0].record)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert len(srv.hits("/wl/")) == 1
    assert [r.status for r in results] == [RegStatus.ACTIVE] * 3


def test_requests_are_spaced_across_processes(tmp_path):
    a, b = Store(tmp_path), Store(tmp_path)  # two connections = two processes
    s1 = a.reserve_slot("pl_wl", 1.0)
    s2 = b.reserve_slot("pl_wl", 1.0)
    assert s2 - s1 >= 0.99
    assert a.reserve_slot("pl_wl", 1.0, latest=time.time()) is None  # past the deadline: nothing reserved


def test_http_429_blocks_the_register_for_other_processes(tmp_path):
    from registry_fakes import json_route

    with RegisterServer({"/wl/api/search/nip/*": json_route({}, 429, {"Retry-After": "120"})}) as srv:
        rec = run(srv, tmp_path, [tax_id("pl.nip", "9512381607")]).ids[0].record
        assert rec.status is RegStatus.UNKNOWN and "429" in rec.error
        blocked = Store(tmp_path).blocked(srv.config(tmp_path).cache_ns("pl_wl"))  # what another process sees
        assert blocked is not None and blocked[0] > time.time() + 100
        rec2 = run(srv, tmp_path, [tax_id("pl.nip", "5631410744")]).ids[0].record
        assert len(srv.hits("/wl/")) == 1
    assert rec2.status is RegStatus.UNKNOWN and "slow down" in rec2.error


def test_daily_budget_stops_before_the_registers_own_limit(tmp_path):
    limit = regdata.sources()["pl_wl"].daily_limit
    assert limit is not None and limit < 100
    st = store_for(tmp_path)
    with RegisterServer({"/wl/api/search/nip/*": fixture_route("wl_active.json")}) as srv:
        ns = srv.config(tmp_path).cache_ns("pl_wl")  # the budget of the register at that address
        for _ in range(limit):
            assert st.spend(ns, limit)
        assert not st.spend(ns, limit)
        rec = run(srv, tmp_path, [tax_id("pl.nip", "9512381607")]).ids[0].record
        assert srv.hits("/wl/") == []
    assert rec.status is RegStatus.UNKNOWN and "budget" in rec.error


def test_a_damaged_cache_file_is_replaced(tmp_path):
    (tmp_path / FILE_NAME).write_bytes(b"this is not a database" * 100)
    st = Store(tmp_path)
    assert st.shared
    st.put("vies", "k", {"a": 1}, 60)
    assert st.get("vies", "k") == {"a": 1}
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_unusable_cache_folder_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    st = Store(blocker / "sub")  # a folder below a file cannot exist
    assert not st.shared
    st.put("vies", "k", {"a": 1}, 60)
    assert st.get("vies", "k") == {"a": 1}


def test_no_cache_means_memory_only(tmp_path):
    with RegisterServer({"/wl/api/search/nip/*": fixture_route("wl_active.json")}) as srv:
        cfg = srv.config(None)
        assert cfg.resolved_cache_dir() is None
        v = asyncio.run(verify([tax_id("pl.nip", "9512381607")], config=cfg, client_factory=plain_client))
        assert v.ids[0].record.status is RegStatus.ACTIVE
    assert not list(tmp_path.iterdir())
