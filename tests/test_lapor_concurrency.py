"""Lapor Bulanan with several writers on one desa-month (issue 25), on both stores: the second save of a row names
the conflict with both values and overwrites nothing; every accepted save lands once; every refusal is audited.
Proved by invariants (values, versi, audit rows), never by timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from datetime import date

import pytest

import lapor
from accounts import store as accounts
from store import open_store
from tests import test_lapor
from tests.conftest import PASSWORD, REPO, reading

NOV, TODAY = date(2026, 11, 1), date(2026, 12, 5)
wh = test_lapor.wh  # the fixture: the demo warehouse on either store, with a user of each Lapor role


def user(store, login):
    found = accounts.check_login(store, login, PASSWORD)
    assert found is not None
    return found


def audit_counts(db, desa) -> dict:
    with reading(db) as con:
        return dict(con.execute("select aksi, count(*) from audit where objek = ? group by 1", [f"{desa} 2026-11"]).fetchall())


def test_the_second_save_of_a_row_names_the_conflict_and_overwrites_nothing(wh):
    db, store, desa, _, _ = wh
    psm, ver = user(store, "psm"), user(store, "ver")
    seen_by_psm = lapor.form(store, psm, desa, NOV, TODAY)
    seen_by_ver = lapor.form(store, ver, desa, NOV, TODAY)
    first, second = seen_by_psm.rows[0], seen_by_psm.rows[1]
    lapor.save_value(store, psm, desa, NOV, first.kode_indikator, 4, 5, "", seen_by_psm.versi, TODAY)
    with pytest.raises(lapor.Conflict) as conflict:
        lapor.save_value(store, ver, desa, NOV, first.kode_indikator, 7, 8, "", seen_by_ver.versi, TODAY)
    message = str(conflict.value)
    assert "Siti PSM (psm)" in message and "L 4, P 5" in message and "L 7, P 8" in message and "Tidak ada yang ditimpa" in message
    assert conflict.value.oleh == "psm" and conflict.value.theirs["laki_laki"] == 4 and conflict.value.yours["laki_laki"] == 7
    # another row, untouched since the verifikator read it: taken
    after = lapor.save_value(store, ver, desa, NOV, second.kode_indikator, 1, 2, "", seen_by_ver.versi, TODAY)
    rows = {r.kode_indikator: (r.laki_laki, r.perempuan) for r in after.rows}
    assert rows[first.kode_indikator] == (4, 5) and rows[second.kode_indikator] == (1, 2)
    # a whole-form change on a stale versi is refused too
    with pytest.raises(lapor.Conflict, match="Tono TKSK"):
        lapor.set_nihil(store, psm, desa, NOV, seen_by_psm.versi + 1, TODAY)
    assert audit_counts(db, desa) == {"lapor_simpan": 2, "lapor_konflik": 2}
    with reading(db) as con:
        konflik = json.loads(con.execute("select rincian from audit where aksi = 'lapor_konflik' order by id").fetchone()[0])
    assert konflik["oleh"] == "psm" and konflik["milik_anda"]["laki_laki"] == 7


def _writer(store, who, desa, plan, results):
    """Save each (indicator, value) of `plan` in order, each on the versi this writer saw last; on a conflict read
    the form again and save the same value again. Records (accepted saves, conflicts)."""
    form = lapor.form(store, who, desa, NOV, TODAY)
    accepted = conflicts = 0
    for kode, value in plan:
        while True:
            try:
                form = lapor.save_value(store, who, desa, NOV, kode, value, value + 1, "", form.versi, TODAY)
                accepted += 1
                break
            except lapor.Conflict:
                conflicts += 1
                form = lapor.form(store, who, desa, NOV, TODAY)
    results.append((who.login, accepted, conflicts))


def test_writers_in_threads_lose_nothing_and_duplicate_nothing(wh):
    db, store, desa, _, _ = wh
    people = [user(store, x) for x in ("psm", "ver", "adm")]
    codes = [r.kode_indikator for r in lapor.form(store, people[0], desa, NOV, TODAY).rows]
    shared = codes[0]
    plans = {p.login: [(codes[1 + n * 5 + i], 10 * n + i) for i in range(5)] + [(shared, 100 + n)] + [(codes[1 + n * 5], 50 + n)]
             for n, p in enumerate(people)}
    results: list = []
    threads = [threading.Thread(target=_writer, args=(store, p, desa, plans[p.login], results)) for p in people * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = sum(r[1] for r in results)
    conflicts = sum(r[2] for r in results)
    assert accepted == 2 * sum(len(p) for p in plans.values())  # every save landed once, after its retries
    final = {r.kode_indikator: r.laki_laki for r in lapor.form(store, people[0], desa, NOV, TODAY).rows}
    with reading(db) as con:
        saves = [json.loads(r[0]) for r in con.execute("select rincian from audit where aksi = 'lapor_simpan' and objek = ? order by id",
                                                         [f"{desa} 2026-11"]).fetchall()]
        versi = con.execute("select versi from lapor where kode_desa = ? and periode = ?", [desa, NOV]).fetchone()[0]
        stored = con.execute("select count(*) from lapor_nilai where kode_desa = ? and periode = ?", [desa, NOV]).fetchone()[0]
    assert len(saves) == accepted == versi  # one versi per accepted save: nothing saved twice, nothing lost
    assert audit_counts(db, desa).get("lapor_konflik", 0) == conflicts
    last = {}
    for save in saves:
        last[save["indikator"]] = save["laki_laki"]
    assert {k: final[k] for k in last} == last and stored == len(last)  # the stored value is the last accepted one


PROCESS = textwrap.dedent("""
    import sys, json
    from datetime import date
    import lapor
    from accounts import store as accounts
    from store import open_store
    store = open_store(sys.argv[1])
    who = accounts.check_login(store, sys.argv[2], sys.argv[3])
    desa, codes = sys.argv[4], sys.argv[5].split(",")
    periode, today = date(2026, 11, 1), date(2026, 12, 5)
    form = lapor.form(store, who, desa, periode, today)
    accepted = conflicts = 0
    for round_ in range(3):
        for n, kode in enumerate(codes):
            while True:
                try:
                    form = lapor.save_value(store, who, desa, periode, kode, 10 * round_ + n, 0, "", form.versi, today)
                    accepted += 1
                    break
                except lapor.Conflict:
                    conflicts += 1
                    form = lapor.form(store, who, desa, periode, today)
    print(json.dumps([accepted, conflicts]))
""")


def test_two_processes_on_one_form_lose_nothing_and_duplicate_nothing(wh):
    db, store, desa, _, _ = wh
    codes = [r.kode_indikator for r in lapor.form(store, user(store, "psm"), desa, NOV, TODAY).rows]
    from store import close_all

    close_all()
    env = {**os.environ, "PMKS_LOCK_WAIT": "120"}
    # both processes write the same rows: conflicts are certain to be possible, and each must retry
    procs = [subprocess.Popen([sys.executable, "-c", PROCESS, str(db), login, PASSWORD, desa, ",".join(codes[:6])], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for login in ("psm", "ver")]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    counts = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert [c[0] for c in counts] == [18, 18]
    audits = audit_counts(db, desa)
    assert audits["lapor_simpan"] == 36 and audits.get("lapor_konflik", 0) == sum(c[1] for c in counts)
    store = open_store(db)
    with reading(db) as con:
        assert con.execute("select versi from lapor where kode_desa = ? and periode = ?", [desa, NOV]).fetchone()[0] == 36
        stored = dict(con.execute("select kode_indikator, laki_laki from lapor_nilai where kode_desa = ? and periode = ?", [desa, NOV]).fetchall())
    assert stored == {kode: 20 + n for n, kode in enumerate(codes[:6])}  # the last round of both is the same value
