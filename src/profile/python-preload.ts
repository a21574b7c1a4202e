// The sitecustomize.py `--with python` puts first on PYTHONPATH: tracemalloc started before the program runs,
// a snapshot whenever traced memory reaches a new high (a thread checks every 10 ms; a forked copy of the
// process keeps that moment, asleep, and only the highest is grouped, at exit), grouped by traceback with file:line:function, written at exit
// with VmHWM and tracemalloc's own memory, one file per process (children that are python run it too).

export const PY_DIR_VAR = 'MEMBENCH_PY_DIR';
export const PY_FRAMES_VAR = 'MEMBENCH_PY_FRAMES';
/** Output: membench-python.PID.json. */
export const PY_OUTPUT = /^membench-python\.(\d+)\.json$/;

export const PY_SITECUSTOMIZE = `# Written by membench profile --with python; removed when the profile is read.
import os as _os


def _membench_tracemalloc():
    import atexit, ast, json, signal, sys, threading, time, tracemalloc, _tracemalloc
    out_dir = _os.environ.get('${PY_DIR_VAR}')
    if not out_dir:
        return
    here = _os.path.dirname(_os.path.abspath(__file__))
    tracemalloc.start(int(_os.environ.get('${PY_FRAMES_VAR}', '16')))
    state = {'in_snapshot_child': False}
    # The sampler thread and the exit handler both fork, kill and reap snapshot copies: one at a time.
    lock = threading.RLock()

    def reset():
        state.update(t0=time.monotonic(), pid=_os.getpid(), child=None, go=None, child_bytes=0, child_at=0.0, child_own=0,
                     best_bytes=0, best_at=None, best_own=0, forks=0, last_fork=0.0, prev=0, stop=False)

    def snap_path(pid):
        return _os.path.join(out_dir, 'membench-python.%d.snapshot.json' % pid)

    def write_json(path, doc):
        with open(path + '.tmp', 'w') as f:
            json.dump(doc, f)
        _os.replace(path + '.tmp', path)

    functions = {}

    def function_at(filename, line):
        # The innermost def or class around the line, from the source's syntax tree; <module> outside any.
        spans = functions.get(filename)
        if spans is None:
            spans = []
            try:
                with open(filename, 'rb') as f:
                    tree = ast.parse(f.read())
                for node in ast.walk(tree):
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        spans.append((node.lineno, getattr(node, 'end_lineno', None) or node.lineno, node.name))
            except Exception:
                spans = None
            functions[filename] = spans
        if spans is None:
            return '?'
        best = None
        for start, end, name in spans:
            if start <= line <= end and (best is None or start >= best[0]):
                best = (start, end, name)
        return best[2] if best else '<module>'

    def snapshot_in_child(parent, at_ms):
        # In a forked copy of the process: the traces as they were at the fork, grouped by traceback at full speed
        # (tracing stopped), while the program goes on. Our own frames (this file) are left out.
        traced = tracemalloc.get_traced_memory()[0]
        raw = _tracemalloc._get_traces()
        tracemalloc.stop()
        groups = {}
        for trace in raw:
            tb = trace[2]
            g = groups.get(tb)
            if g is None:
                groups[tb] = [trace[1], 1]
            else:
                g[0] += trace[1]
                g[1] += 1
        stacks = []
        for tb, (size, count) in groups.items():
            if any(fr[0] == __file__ for fr in tb):
                continue
            stacks.append({'frames': [[fr[0], fr[1], function_at(fr[0], fr[1])] for fr in reversed(tb)], 'bytes': size, 'count': count})
        write_json(snap_path(parent), {'pid': parent, 'tracedBytes': traced, 'atMs': at_ms, 'stacks': stacks})

    def reap(block):
        child = state['child']
        if child is None:
            return
        try:
            pid, status = _os.waitpid(child, 0 if block else _os.WNOHANG)
        except ChildProcessError:
            pid, status = child, 1
        if pid == 0:
            return
        state['child'] = None
        if _os.waitstatus_to_exitcode(status) == 0:
            state.update(best_bytes=state['child_bytes'], best_at=state['child_at'], best_own=state['child_own'])

    def drop_child():
        if state['child'] is not None:
            try:
                _os.kill(state['child'], signal.SIGKILL)
            except ProcessLookupError:
                pass
            _os.close(state['go'])
            try:
                _os.waitpid(state['child'], 0)
            except ChildProcessError:
                pass
            state['child'] = None

    def fork_snapshot():
        # A forked copy of the process holds the traces of this moment, asleep (sharing the program's pages), until
        # told to write them at exit; a newer high replaces it. Only the highest is ever grouped, at full speed.
        # Nothing that lets the program run (a call that releases the GIL) comes between the measure and the fork:
        # the copy's own traced memory is the one written.
        old, old_go = state['child'], state['go']
        r, w = _os.pipe()
        at_ms = (time.monotonic() - state['t0']) * 1000
        own = tracemalloc.get_tracemalloc_memory()
        traced = tracemalloc.get_traced_memory()[0]
        parent = _os.getpid()
        state['in_snapshot_child'] = True
        pid = _os.fork()
        if pid == 0:
            code = 1
            try:
                _os.close(w)
                if old_go is not None:
                    _os.close(old_go)
                if _os.read(r, 1) == b'g':
                    snapshot_in_child(parent, at_ms)
                    code = 0
            finally:
                _os._exit(code)
        _os.close(r)
        state['in_snapshot_child'] = False
        state.update(child=old, go=old_go)
        drop_child()
        state.update(child=pid, go=w, child_bytes=traced, child_at=at_ms, child_own=own, forks=state['forks'] + 1, last_fork=time.monotonic())

    def finish_child():
        if state['child'] is not None:
            _os.write(state['go'], b'g')
            _os.close(state['go'])
            reap(True)

    def check(at_exit=False):
        # A snapshot when traced memory is 10 % above the last one, or above it and no longer growing (a local
        # high), at most every 0.2 s (each fork makes the program copy the pages it writes while the copy lives).
        cur, _ = tracemalloc.get_traced_memory()
        target = state['child_bytes'] if state['child'] is not None else 0
        stalled = cur > target and cur <= state['prev']
        state['prev'] = cur
        if not (cur > target * 1.10 or stalled or (at_exit and cur > target)):
            return
        if not at_exit and time.monotonic() - state['last_fork'] < 0.2:
            return
        fork_snapshot()

    def loop():
        while not state['stop']:
            time.sleep(0.01)
            try:
                with lock:
                    if not state['stop']:
                        check()
            except Exception as e:
                sys.stderr.write('membench python preload: %r\\n' % (e,))
                return

    def write():
        if _os.getpid() != state['pid']:
            return
        try:
            with lock:
                state['stop'] = True
                check(at_exit=True)
                finish_child()
            _, traced_peak = tracemalloc.get_traced_memory()
            hwm = None
            with open('/proc/self/status') as f:
                for line in f:
                    if line.startswith('VmHWM:'):
                        hwm = int(line.split()[1]) * 1024
            write_json(_os.path.join(out_dir, 'membench-python.%d.json' % _os.getpid()), {
                'kind': 'membench-python-tracemalloc', 'pid': _os.getpid(), 'argv': sys.argv, 'python': sys.version.split()[0],
                'vmHwmBytes': hwm, 'tracedPeakBytes': traced_peak, 'snapshotBytes': state['best_bytes'],
                'snapshotAtMs': state['best_at'], 'snapshots': state['forks'], 'tracemallocBytes': state['best_own'],
                'frames': tracemalloc.get_traceback_limit()})
        except Exception as e:
            sys.stderr.write('membench python preload: %r\\n' % (e,))

    def start():
        if state['in_snapshot_child']:
            return
        nonlocal lock
        lock = threading.RLock()  # a fork may copy the lock held: the child starts afresh
        reset()
        threading.Thread(target=loop, name='membench-tracemalloc', daemon=True).start()

    start()
    atexit.register(write)
    _os.register_at_fork(after_in_child=start)

    # A sitecustomize further down the path (the distribution's) still runs.
    import importlib.machinery, importlib.util
    spec = importlib.machinery.PathFinder.find_spec('sitecustomize', [p for p in sys.path if _os.path.abspath(p or '.') != here])
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


_membench_tracemalloc()
del _membench_tracemalloc
`;
