// cgroup parsers on captured (this machine: hybrid, v1 memory files) and hand-written (pure v2, v1-only) text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProbeParseError } from '../../src/probe/errors.js';
import {
  memoryCgroupPath,
  memoryStatSplit,
  parseBytesOrMax,
  parseCgroupMounts,
  parseFlatKeyed,
  parsePids,
  parseProcCgroup,
} from '../../src/probe/cgroup.js';
import { ROOT } from '../helpers/fixtures.js';

const FIX = join(ROOT, 'test', 'fixtures');
const read = (...rel: string[]): string => readFileSync(join(FIX, ...rel), 'utf8');

test('parseProcCgroup: this machine (hybrid): v1 hierarchies, named systemd, and the v2 "0::/" line', () => {
  const m = parseProcCgroup(read('proc', 'hybrid', 'self', 'cgroup'));
  assert.equal(m.length, 10);
  assert.deepEqual(
    m.find((x) => x.controllers.includes('memory')),
    { hierarchyId: 4, controllers: ['memory'], path: '/process_api/0cde710744738c5625b68a09c7fa5d32' },
  );
  assert.deepEqual(
    m.find((x) => x.hierarchyId === 9),
    { hierarchyId: 9, controllers: ['name=systemd'], path: '/' },
  );
  assert.deepEqual(
    m.find((x) => x.hierarchyId === 0),
    { hierarchyId: 0, controllers: [], path: '/' },
  );
});

test('parseProcCgroup: pure v2 is one "0::/path" line; v1 lists co-mounted controllers', () => {
  assert.deepEqual(parseProcCgroup(read('proc', 'v2', 'self', 'cgroup')), [
    { hierarchyId: 0, controllers: [], path: '/user.slice/user-1000.slice/user@1000.service/app.slice/run-r3b1c2d.scope' },
  ]);
  const v1 = parseProcCgroup(read('proc', 'v1', 'self', 'cgroup'));
  assert.deepEqual(v1.find((x) => x.hierarchyId === 2)!.controllers, ['cpuacct', 'cpu']);
  assert.deepEqual(v1.find((x) => x.hierarchyId === 7)!.controllers, ['net_prio', 'net_cls']);
  assert.equal(
    v1.some((x) => x.hierarchyId === 0),
    false,
  );
});

test('memoryCgroupPath: the v1 memory hierarchy where there is one (v1, hybrid), else the v2 path', () => {
  assert.equal(
    memoryCgroupPath(parseProcCgroup(read('proc', 'hybrid', 'self', 'cgroup'))),
    '/process_api/0cde710744738c5625b68a09c7fa5d32',
  );
  assert.equal(
    memoryCgroupPath(parseProcCgroup(read('proc', 'v2', 'self', 'cgroup'))),
    '/user.slice/user-1000.slice/user@1000.service/app.slice/run-r3b1c2d.scope',
  );
  assert.equal(memoryCgroupPath(parseProcCgroup(read('proc', 'v1', 'self', 'cgroup'))), '/user.slice');
  // A v1 layout without a memory controller and no unified line: nothing accounts memory.
  assert.equal(memoryCgroupPath(parseProcCgroup('3:cpu,cpuacct:/a\n1:name=systemd:/b\n')), null);
  assert.equal(memoryCgroupPath([]), null);
});

test('parseProcCgroup: a path with ":" in it is kept whole; a line without a path names the line', () => {
  assert.equal(parseProcCgroup('0::/a:b/c\n')[0]!.path, '/a:b/c');
  assert.throws(
    () => parseProcCgroup('0::/\n4:memory\n', 'cg'),
    (e: unknown) => e instanceof ProbeParseError && e.line === 2 && e.file === 'cg',
  );
  assert.throws(() => parseProcCgroup('x::/\n', 'cg'), ProbeParseError);
});

test('parseCgroupMounts: this machine: nine v1 hierarchies under /sys/fs/cgroup and cgroup2 at /sys/fs/cgroup/unified', () => {
  const mounts = parseCgroupMounts(read('proc', 'hybrid', 'self', 'mountinfo'));
  assert.equal(mounts.filter((m) => m.version === 1).length, 9);
  assert.deepEqual(
    mounts.find((m) => m.controllers.includes('memory')),
    { version: 1, mountPoint: '/sys/fs/cgroup/memory', root: '/', controllers: ['memory'] },
  );
  assert.deepEqual(mounts.find((m) => m.mountPoint === '/sys/fs/cgroup/systemd')!.controllers, ['name=systemd']);
  assert.deepEqual(
    mounts.filter((m) => m.version === 2),
    [{ version: 2, mountPoint: '/sys/fs/cgroup/unified', root: '/', controllers: [] }],
  );
});

test('parseCgroupMounts: pure v2 (optional "shared:N" fields, super options that are not controllers)', () => {
  assert.deepEqual(parseCgroupMounts(read('proc', 'v2', 'self', 'mountinfo')), [
    { version: 2, mountPoint: '/sys/fs/cgroup', root: '/', controllers: [] },
  ]);
});

test('parseCgroupMounts: v1-only keeps controllers, drops options like seclabel and release_agent', () => {
  const mounts = parseCgroupMounts(read('proc', 'v1', 'self', 'mountinfo'));
  assert.equal(mounts.length, 11);
  assert.equal(
    mounts.some((m) => m.version === 2),
    false,
  );
  assert.deepEqual(mounts.find((m) => m.mountPoint === '/sys/fs/cgroup/cpu,cpuacct')!.controllers, ['cpuacct', 'cpu']);
  assert.deepEqual(mounts.find((m) => m.mountPoint === '/sys/fs/cgroup/systemd')!.controllers, ['name=systemd']);
});

test('parseCgroupMounts: a container sees its own directory as the mount root; octal escapes are decoded', () => {
  const docker = parseCgroupMounts(read('proc', 'v1-docker', 'self', 'mountinfo'));
  assert.deepEqual(
    docker.find((m) => m.controllers.includes('memory')),
    { version: 1, mountPoint: '/sys/fs/cgroup/memory', root: '/docker/3f2a9c', controllers: ['memory'] },
  );
  const escaped = parseCgroupMounts('50 31 0:40 / /mnt/my\\040cgroups rw - cgroup2 cgroup2 rw\n');
  assert.equal(escaped[0]!.mountPoint, '/mnt/my cgroups');
});

test('parseCgroupMounts: no cgroup mounts at all is an empty list; a line without " - " names the line', () => {
  assert.deepEqual(parseCgroupMounts(read('proc', 'none', 'self', 'mountinfo')), []);
  assert.throws(
    () => parseCgroupMounts('22 27 0:21 / /proc rw - proc proc rw\n23 27 0:22 / /sys rw\n', 'mi'),
    (e: unknown) => e instanceof ProbeParseError && e.line === 2 && /mi line 2/.test(e.message),
  );
});

test('parseFlatKeyed + memoryStatSplit: v2 memory.stat anon / file', () => {
  const stat = parseFlatKeyed(read('cgroup', 'v2', 'memory.stat'), 'memory.stat');
  assert.equal(stat.get('pagetables'), 204800);
  assert.deepEqual(memoryStatSplit(stat, 2), { anonBytes: 67862528, fileBytes: 1236992 });
});

test('parseFlatKeyed + memoryStatSplit: v1 memory.stat (captured) with its "unlimited" hierarchical limits', () => {
  // hierarchical_memory_limit 9223372036854771712 is above 2^53: it must not make the whole file unreadable.
  const stat = parseFlatKeyed(read('cgroup', 'v1', 'memory.stat'), 'memory.stat');
  assert.deepEqual(memoryStatSplit(stat, 1), { anonBytes: 2449408, fileBytes: 59498496 });
  assert.ok(stat.get('hierarchical_memory_limit')! >= 2 ** 62);
});

test('parseFlatKeyed: v2 memory.events and v1 memory.oom_control counters', () => {
  const events = parseFlatKeyed(read('cgroup', 'v2', 'memory.events'), 'memory.events');
  assert.deepEqual([events.get('oom'), events.get('oom_kill'), events.get('max')], [1, 1, 37]);
  const oom = parseFlatKeyed(read('cgroup', 'v1', 'memory.oom_control'), 'memory.oom_control');
  assert.deepEqual(Object.fromEntries(oom), { oom_kill_disable: 0, under_oom: 0, oom_kill: 0 });
  assert.throws(
    () => parseFlatKeyed('low 0\nhigh\n', 'memory.events'),
    (e: unknown) => e instanceof ProbeParseError && e.line === 2,
  );
});

test('parseBytesOrMax: v2 memory.current / memory.peak, "max" and v1 "unlimited" are null', () => {
  assert.equal(parseBytesOrMax(read('cgroup', 'v2', 'memory.current'), 'memory.current'), 70856704);
  assert.equal(parseBytesOrMax(read('cgroup', 'v2', 'memory.peak'), 'memory.peak'), 72155136);
  assert.equal(parseBytesOrMax(read('cgroup', 'v2', 'memory.max'), 'memory.max'), null);
  assert.equal(parseBytesOrMax(read('cgroup', 'v1', 'memory.max_usage_in_bytes'), 'memory.max_usage_in_bytes'), 261578752);
  assert.equal(parseBytesOrMax(read('cgroup', 'v1', 'memory.usage_in_bytes'), 'memory.usage_in_bytes'), 64532480);
  // v1 prints "no limit" as PAGE_COUNTER_MAX × page size, 9223372036854771712 here.
  assert.equal(parseBytesOrMax(read('cgroup', 'v1', 'memory.limit_in_bytes'), 'memory.limit_in_bytes'), null);
  assert.throws(
    () => parseBytesOrMax('12 MiB\n', 'memory.current'),
    (e: unknown) => e instanceof ProbeParseError && /memory\.current line 1/.test(e.message),
  );
});

test('parsePids: one pid per line, empty file is an empty group', () => {
  assert.deepEqual(parsePids('101\n202\n'), [101, 202]);
  assert.deepEqual(parsePids(''), []);
  assert.throws(
    () => parsePids('101\nabc\n', '/sys/fs/cgroup/x/cgroup.procs'),
    (e: unknown) => e instanceof ProbeParseError && e.line === 2,
  );
});
