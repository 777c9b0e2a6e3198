#!/usr/bin/env python3
"""bench/analyze: mitsu analyze beside tshark on the same input, one run.
(a) one multi-flow pcap of --mb MB (and one of a quarter of that size, to
    show that memory does not grow with file size);
(b) a folder of --files single-flow pcaps.
Inputs come from bench/genflows.c (deterministic).  Prints medians of
--repeat runs: seconds, flows/s, MB/s, peak RSS, and ratios to tshark.
usage: bench/analyze.py [--mitsu ./mitsu] [--mb 200] [--files 20000] [--repeat 3]"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile

ap = argparse.ArgumentParser()
ap.add_argument("--mitsu", default=os.path.abspath("mitsu"))
ap.add_argument("--mb", type=int, default=200)
ap.add_argument("--files", type=int, default=20000)
ap.add_argument("--repeat", type=int, default=3)
ap.add_argument("--tshark-files", type=int, default=200,
                help="tshark starts once per file; time it on this many and scale")
args = ap.parse_args()
here = os.path.dirname(os.path.abspath(__file__))
work = tempfile.mkdtemp(prefix="mitsu-bench-analyze-")
gen = os.path.join(work, "genflows")
subprocess.run(["cc", "-O2", "-o", gen, os.path.join(here, "genflows.c")], check=True)


def timed(cmd, **kw):
    out = os.path.join(work, "time.txt")
    subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", out] + cmd, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False, **kw)
    e, m = open(out).read().split()[-2:]
    return float(e), int(m)


def median_run(cmd, before=None):
    runs = []
    for _ in range(args.repeat):
        if before:
            before()
        runs.append(timed(cmd))
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def fresh_db():
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(os.path.join(work, "bench.db" + suffix))
        except FileNotFoundError:
            pass


def row(name, secs, rss, flows, mb, base=None):
    ratio = f"{base / secs:6.1f}x" if base else "     -"
    print(f"  {name:<34} {secs:8.2f} s {flows / secs:10.0f} flows/s {mb / secs:8.1f} MB/s "
          f"{rss / 1024:7.1f} MiB  {ratio}")


def bench_file(mb):
    path = os.path.join(work, f"multi-{mb}.pcap")
    out = subprocess.run([gen, "-o", path, "-b", str(mb * 1000000)], capture_output=True, text=True).stdout
    flows = int(out.split()[0])
    size = os.path.getsize(path) / 1e6
    print(f"(a) one pcap, {size:.0f} MB, {flows} flows")
    t_secs, t_rss = median_run(["tshark", "-r", path, "-q", "-z", "conv,tcp"])
    row("tshark -q -z conv,tcp", t_secs, t_rss, flows, size)
    m_secs, m_rss = median_run([args.mitsu, "analyze", "-q", "--json", path])
    row("mitsu analyze --json > /dev/null", m_secs, m_rss, flows, size, t_secs)
    d_secs, d_rss = median_run([args.mitsu, "analyze", "-q", "--db", os.path.join(work, "bench.db"), path],
                               fresh_db)
    row("mitsu analyze into SQLite", d_secs, d_rss, flows, size, t_secs)
    os.unlink(path)
    return m_rss


def bench_folder(n):
    d = os.path.join(work, "folder")
    subprocess.run([gen, "-d", d, "-n", str(n)], check=True, stdout=subprocess.DEVNULL)
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs) / 1e6
    print(f"(b) a folder of {n} single-flow pcaps, {size:.0f} MB")
    sample = sorted(os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs)[: args.tshark_files]
    script = os.path.join(work, "tshark-each.sh")
    open(script, "w").write("for f in \"$@\"; do tshark -r \"$f\" -q -z conv,tcp >/dev/null 2>&1; done\n")
    t_secs, t_rss = median_run(["sh", script] + sample)
    t_scaled = t_secs * n / len(sample)
    row(f"tshark per file ({len(sample)} files, scaled)", t_scaled, t_rss, n, size)
    m_secs, m_rss = median_run([args.mitsu, "analyze", "-q", "--json", d])
    row("mitsu analyze --json > /dev/null", m_secs, m_rss, n, size, t_scaled)
    d_secs, d_rss = median_run([args.mitsu, "analyze", "-q", "--db", os.path.join(work, "bench.db"), d],
                               fresh_db)
    row("mitsu analyze into SQLite", d_secs, d_rss, n, size, t_scaled)
    print(f"  files/s: {n / m_secs:.0f} (JSON), {n / d_secs:.0f} (SQLite)")


try:
    print(f"bench/analyze: medians of {args.repeat} runs; ratio = tshark time / mitsu time")
    small = bench_file(max(1, args.mb // 4))
    big = bench_file(args.mb)
    print(f"  peak RSS, mitsu --json: {small / 1024:.1f} MiB at {args.mb // 4} MB, "
          f"{big / 1024:.1f} MiB at {args.mb} MB")
    bench_folder(args.files)
finally:
    shutil.rmtree(work, ignore_errors=True)
