#!/usr/bin/env python3
# A quick A/B of two builds of the write path, without etcd:
#   benchmarks/quick-ab.py NODE_JAR BENCHMARKS_JAR CLIENTS MEASURE_SECONDS [LABEL]
# Starts three consensus-node.jar processes on free 127.0.0.1 ports (fresh data directories under
# /tmp/perf, -Xmx512m, default settings), runs io.sinkron.bench.LoadGenerator against them (8 s
# warmup, then MEASURE_SECONDS measured) and prints one line: the generator's summary, the CPU of
# the three nodes and of the generator per put over the measured window (from /proc/<pid>/stat),
# and the leader's fsyncs in that window (from /actuator/prometheus). Copy the jars of each build
# aside (with benchmarks/target/lib next to benchmarks.jar) and alternate the runs.
import os, sys, socket, subprocess, time, tempfile, urllib.request, re, shutil
nodejar, benchjar, clients, measure = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
label = sys.argv[5] if len(sys.argv) > 5 else ''
java = '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java'
def port():
    s = socket.socket(); s.bind(('127.0.0.1', 0)); p = s.getsockname()[1]; s.close(); return p
g = [port() for _ in range(3)]; h = [port() for _ in range(3)]
os.makedirs('/tmp/perf', exist_ok=True)
d = tempfile.mkdtemp(prefix='perfq-', dir='/tmp/perf')
nodes = ','.join(f'node-{i+1}:127.0.0.1:{g[i]}' for i in range(3))
procs = []
for i in range(3):
    env = dict(os.environ, NODE_ID=f'node-{i+1}', CLUSTER_NODES=nodes, SERVER_PORT=str(h[i]), DATA_DIR=f'{d}/node-{i+1}')
    procs.append(subprocess.Popen([java, '-Xmx512m', '-jar', nodejar], env=env, stdout=open(f'{d}/node-{i+1}.log', 'w'), stderr=subprocess.STDOUT))
def cpu(pid):
    f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK')
def fsyncs():
    c = s = 0.0
    for i in range(3):
        try:
            m = urllib.request.urlopen(f'http://127.0.0.1:{h[i]}/actuator/prometheus', timeout=5).read().decode()
        except Exception:
            continue
        cc = sum(float(x) for x in re.findall(r'^sinkron_raft_fsync_seconds_count\{[^}]*\} (\S+)', m, re.M))
        ss = sum(float(x) for x in re.findall(r'^sinkron_raft_fsync_seconds_sum\{[^}]*\} (\S+)', m, re.M))
        if cc > c: c, s = cc, ss   # the leader fsyncs at least as often as anyone
    return c, s
try:
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            st = urllib.request.urlopen(f'http://127.0.0.1:{h[0]}/status', timeout=2).read().decode()
            if '"leader' in st and 'null' not in st.split('leader',1)[1][:12]:
                break
        except Exception:
            pass
        time.sleep(0.5)
    gen = subprocess.Popen([java, '-cp', benchjar, 'io.sinkron.bench.LoadGenerator', '--target=sinkron',
        '--endpoints=' + ','.join(f'127.0.0.1:{p}' for p in g), f'--clients={clients}', '--warmup-seconds=8',
        f'--measure-seconds={measure}'], stdout=subprocess.PIPE, stderr=open(f'{d}/gen.err', 'w'), text=True)
    pids = [p.pid for p in procs]
    result = None
    for line in gen.stdout:
        line = line.strip()
        if line == 'PHASE measure-start':
            s0 = [cpu(p) for p in pids]; g0 = cpu(gen.pid); f0 = fsyncs(); t0 = time.time()
        elif line == 'PHASE measure-end':
            s1 = [cpu(p) for p in pids]; g1 = cpu(gen.pid); f1 = fsyncs(); t1 = time.time()
        else:
            result = line
    gen.wait()
    err = open(f'{d}/gen.err').read().strip().splitlines()
    if not [l for l in err if 'puts/s' in l]:
        print('\n'.join(err[-30:])); sys.exit(1)
    summary = [l for l in err if 'puts/s' in l]
    m = re.search(r'([\d.]+) puts/s', summary[-1]); tput = float(m.group(1))
    puts = tput * measure
    scpu = sum(s1) - sum(s0); gcpu = g1 - g0
    nf = f1[0] - f0[0]; fs = f1[1] - f0[1]
    print(f'{label} load={os.getloadavg()[0]:.2f} | {summary[-1]} | server CPU {scpu/puts*1e6:.0f} us/put | generator CPU {gcpu/puts*1e6:.0f} us/put | leader fsyncs {nf:.0f}, {puts/max(nf,1):.1f} puts/fsync, mean fsync {fs/max(nf,1)*1e3:.2f} ms')
finally:
    for p in procs: p.kill()
    for p in procs: p.wait()
    shutil.rmtree(d, ignore_errors=True)
