// Property tests for the cgroup parsers: /proc/PID/cgroup, mountinfo, "key value" files (memory.stat,
// memory.events, v1 memory.oom_control, /proc/vmstat), cgroup.procs and single-number files. Generated text
// round-trips; malformed and truncated text gives a value or ProbeParseError(file, line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memoryStatSplit, parseBytesOrMax, parseCgroupMounts, parseFlatKeyed, parsePids, parseProcCgroup } from '../../src/probe/cgroup.js';
import { FILE, check, checkMalformed, malformed, parseOrDocumentedError } from '../helpers/kernel-text.js';

const V1_CONTROLLERS = [
  'memory',
  'cpu',
  'cpuacct',
  'cpuset',
  'pids',
  'freezer',
  'blkio',
  'devices',
  'net_cls',
  'net_prio',
  'perf_event',
  'hugetlb',
  'rdma',
  'misc',
];
// A cgroup name may hold anything but "/" and NUL; ":" and spaces included.
const segment = fc.stringMatching(/^[A-Za-z0-9_.:@ -]{1,12}$/);
const cgPath = fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join('/')}`);

const membership = fc.oneof(
  fc.record({ hierarchyId: fc.constant(0), controllers: fc.constant([] as string[]), path: cgPath }),
  fc.record({
    hierarchyId: fc.integer({ min: 1, max: 20 }),
    controllers: fc.uniqueArray(fc.oneof(fc.constantFrom(...V1_CONTROLLERS), fc.constant('name=systemd')), { minLength: 1, maxLength: 3 }),
    path: cgPath,
  }),
);
const renderCgroup = (ms: readonly { hierarchyId: number; controllers: readonly string[]; path: string }[]): string =>
  ms.map((m) => `${m.hierarchyId}:${m.controllers.join(',')}:${m.path}\n`).join('');

test('/proc/PID/cgroup: generated memberships round-trip; memoryCgroupPath-relevant fields intact', () => {
  check(
    fc.property(fc.array(membership, { maxLength: 8 }), (ms) => {
      assert.deepEqual(
        parseProcCgroup(renderCgroup(ms), FILE),
        ms.map((m) => ({ ...m })),
      );
    }),
  );
});

test('/proc/PID/cgroup: malformed or truncated text gives memberships or ProbeParseError(file, line)', () => {
  checkMalformed(
    fc.property(malformed(fc.array(membership, { minLength: 1, maxLength: 5 }).map(renderCgroup)), (text) => {
      const out = parseOrDocumentedError((t) => parseProcCgroup(t, FILE), text);
      if ('value' in out) for (const m of out.value) assert.ok(m.path.startsWith('/') && Number.isSafeInteger(m.hierarchyId));
    }),
  );
});

// mountinfo escapes space, tab, newline and backslash as \ooo.
const escapeMountinfo = (s: string): string => s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
const mount = fc.record({
  type: fc.constantFrom('cgroup', 'cgroup2', 'proc', 'tmpfs', 'ext4'),
  root: fc.oneof(fc.constant('/'), cgPath),
  mountPoint: fc.array(fc.stringMatching(/^[A-Za-z0-9_ ,\\-]{1,10}$/), { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
  controllers: fc.uniqueArray(fc.constantFrom(...V1_CONTROLLERS, 'name=systemd'), { minLength: 1, maxLength: 3 }),
  optional: fc.array(fc.constantFrom('shared:7', 'master:3', 'propagate_from:2', 'unbindable'), { maxLength: 2 }),
});
type Mount = typeof mount extends fc.Arbitrary<infer T> ? T : never;
const renderMount = (m: Mount, i: number): string => {
  const superOpts =
    m.type === 'cgroup' ? `rw,${m.controllers.join(',')}` : m.type === 'cgroup2' ? 'rw,nsdelegate,memory_recursiveprot' : 'rw';
  return `${30 + i} 1 0:${26 + i} ${escapeMountinfo(m.root)} ${escapeMountinfo(m.mountPoint)} rw,nosuid,nodev,noexec,relatime${m.optional.map((o) => ` ${o}`).join('')} - ${m.type} ${m.type} ${superOpts}\n`;
};
const renderMounts = (ms: readonly Mount[]): string => ms.map(renderMount).join('');

test('mountinfo: generated lines round-trip cgroup mounts (unescaped paths, v1 controllers) and drop the rest', () => {
  check(
    fc.property(fc.array(mount, { maxLength: 8 }), (ms) => {
      const expected = ms
        .filter((m) => m.type === 'cgroup' || m.type === 'cgroup2')
        .map((m) => ({
          version: m.type === 'cgroup' ? 1 : 2,
          mountPoint: m.mountPoint,
          root: m.root,
          controllers: m.type === 'cgroup' ? m.controllers : [],
        }));
      assert.deepEqual(parseCgroupMounts(renderMounts(ms), FILE), expected);
    }),
  );
});

test('mountinfo: malformed or truncated text gives mounts or ProbeParseError(file, line)', () => {
  checkMalformed(
    fc.property(malformed(fc.array(mount, { minLength: 1, maxLength: 4 }).map(renderMounts)), (text) => {
      const out = parseOrDocumentedError((t) => parseCgroupMounts(t, FILE), text);
      if ('value' in out) for (const m of out.value) assert.ok((m.version === 1 || m.version === 2) && typeof m.mountPoint === 'string');
    }),
  );
});

const STAT_KEYS = [
  'anon',
  'file',
  'kernel',
  'shmem',
  'total_rss',
  'total_cache',
  'pgfault',
  'hierarchical_memory_limit',
  'low',
  'high',
  'max',
  'oom',
  'oom_kill',
  'oom_group_kill',
  'under_oom',
  'nr_free_pages',
  'oom_kill_disable',
];
// u64 values: byte counts and counters, and v1's "unlimited" near 2^63, kept as the nearest double.
const u64 = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 40 }),
  fc.constant(Number.MAX_SAFE_INTEGER),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);
const flat = fc.uniqueArray(fc.tuple(fc.constantFrom(...STAT_KEYS), u64), { selector: ([k]) => k, maxLength: STAT_KEYS.length });
const renderFlat = (kv: readonly (readonly [string, number | bigint])[]): string => kv.map(([k, v]) => `${k} ${v}\n`).join('');

test('memory.stat / memory.events / vmstat: generated "key value" lines round-trip (u64 to the nearest double)', () => {
  check(
    fc.property(flat, (kv) => {
      const parsed = parseFlatKeyed(renderFlat(kv), FILE);
      assert.deepEqual(
        [...parsed],
        kv.map(([k, v]) => [k, Number(v)]),
      );
      const v1 = memoryStatSplit(parsed, 1);
      const v2 = memoryStatSplit(parsed, 2);
      assert.deepEqual(v1, { anonBytes: parsed.get('total_rss') ?? 0, fileBytes: parsed.get('total_cache') ?? 0 });
      assert.deepEqual(v2, { anonBytes: parsed.get('anon') ?? 0, fileBytes: parsed.get('file') ?? 0 });
    }),
  );
});

test('memory.stat / memory.events / vmstat: malformed or truncated text gives non-negative integers or ProbeParseError', () => {
  checkMalformed(
    fc.property(malformed(flat.map(renderFlat)), (text) => {
      const out = parseOrDocumentedError((t) => parseFlatKeyed(t, FILE), text);
      if ('value' in out) for (const [k, v] of out.value) assert.ok(Number.isInteger(v) && v >= 0, `${k} = ${v}`);
    }),
  );
});

const pids = fc.array(fc.integer({ min: 1, max: 4194304 }), { maxLength: 20 });
test('cgroup.procs: generated pid lists round-trip; malformed text gives pids or ProbeParseError', () => {
  check(fc.property(pids, (ps) => assert.deepEqual(parsePids(ps.map((p) => `${p}\n`).join(''), FILE), ps)));
  checkMalformed(
    fc.property(malformed(pids.map((ps) => ps.map((p) => `${p}\n`).join(''))), (text) => {
      const out = parseOrDocumentedError((t) => parsePids(t, FILE), text);
      if ('value' in out) assert.ok(out.value.every((p) => Number.isSafeInteger(p) && p >= 0));
    }),
  );
});

// memory.current / memory.peak / memory.max / v1 memory.limit_in_bytes: a byte count, "max", or v1's unlimited.
const single = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 50 }).map((n) => ({ text: `${n}\n`, value: n as number | null })),
  fc.constantFrom(
    { text: 'max\n', value: null },
    { text: '9223372036854771712\n', value: null },
    { text: '9223372036854775807\n', value: null },
  ),
);
test('memory.current / memory.max: generated values round-trip ("max" and v1 unlimited to null); malformed text gives a value or ProbeParseError', () => {
  check(fc.property(single, (s) => assert.equal(parseBytesOrMax(s.text, FILE), s.value)));
  checkMalformed(
    fc.property(malformed(single.map((s) => s.text)), (text) => {
      const out = parseOrDocumentedError((t) => parseBytesOrMax(t, FILE), text);
      if ('value' in out) assert.ok(out.value === null || (Number.isSafeInteger(out.value) && out.value >= 0));
    }),
  );
});
