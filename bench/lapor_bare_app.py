"""The bare baseline of bench/bench_lapor.py: a Streamlit page of the same shape as Lapor Bulanan (22 rows of two
number inputs and a note, a copy button, a send button, every change handled by a callback) that keeps everything
in the session and touches no store."""

import streamlit as st

CODES = [f"I{n:02d}" for n in range(22)]
st.title("Lapor Bulanan (dasar)")


def copy() -> None:
    for n, code in enumerate(CODES):
        st.session_state[f"lapor_L_{code}"], st.session_state[f"lapor_P_{code}"] = n, n + 1


def changed(code: str) -> None:
    st.session_state.setdefault("disimpan", []).append(code)


def send() -> None:
    st.session_state["pesan"] = "Laporan terkirim ke verifikator kecamatan."


if message := st.session_state.pop("pesan", None):
    st.success(message)
st.button("Salin dari bulan lalu", key="lapor_salin", on_click=copy)
for code in CODES:
    with st.container(border=True):
        st.markdown(f"**Indikator {code}**")
        line = st.container(horizontal=True)
        for kind in ("L", "P"):
            line.number_input(kind, min_value=0, max_value=1_000_000, step=1, value=None, key=f"lapor_{kind}_{code}",
                              on_change=changed, args=(code,), width=112)
        st.text_input("Catatan", key=f"lapor_C_{code}", on_change=changed, args=(code,), label_visibility="collapsed")
st.button("Kirim ke verifikator", key="lapor_kirim", type="primary", on_click=send)
