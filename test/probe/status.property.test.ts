// Property tests for /proc/PID/status (parseStatus, kibFieldBytes): generated text round-trips to the right bytes;
// malformed and truncated text gives a record or ProbeParseError(file, line), never another exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kibFieldBytes, parseStatus } from '../../src/probe/status.js';
import { FILE, check, checkMalformed, kib, malformed, pad8, parseOrDocumentedError } from '../helpers/kernel-text.js';

const KIB_KEYS = [
  'VmPeak',
  'VmSize',
  'VmLck',
  'VmPin',
  'VmHWM',
  'VmRSS',
  'RssAnon',
  'RssFile',
  'RssShmem',
  'VmData',
  'VmStk',
  'VmExe',
  'VmLib',
  'VmPTE',
  'VmSwap',
  'HugetlbPages',
] as const;
const PARSED = {
  VmHWM: 'vmHwmBytes',
  VmRSS: 'vmRssBytes',
  VmSize: 'vmSizeBytes',
  VmData: 'vmDataBytes',
  VmSwap: 'vmSwapBytes',
  RssAnon: 'rssAnonBytes',
  RssFile: 'rssFileBytes',
  RssShmem: 'rssShmemBytes',
} as const;

// A task name as status prints it: up to 15 bytes; the kernel escapes \n and \\, and the parser trims the value.
const name = fc.stringMatching(/^[A-Za-z0-9_.:/()[\]-][A-Za-z0-9_ .:/()[\]-]{0,13}[A-Za-z0-9_.:/()[\]-]$|^[a-z]$/);

interface Status {
  name: string;
  ppid: number;
  /** null: a zombie or kernel thread, which has no Vm* lines. */
  kib: Record<(typeof KIB_KEYS)[number], number> | null;
}

const status: fc.Arbitrary<Status> = fc.record({
  name,
  ppid: fc.integer({ min: 0, max: 4194304 }),
  kib: fc.option(fc.record(Object.fromEntries(KIB_KEYS.map((k) => [k, kib])) as Record<(typeof KIB_KEYS)[number], fc.Arbitrary<number>>), {
    freq: 4,
  }),
});

const render = (s: Status): string =>
  [
    `Name:\t${s.name}`,
    'Umask:\t0022',
    'State:\tS (sleeping)',
    'Tgid:\t4242',
    'Ngid:\t0',
    'Pid:\t4242',
    `PPid:\t${s.ppid}`,
    'TracerPid:\t0',
    'Uid:\t0\t0\t0\t0',
    'Gid:\t0\t0\t0\t0',
    'FDSize:\t64',
    'Groups:\t0 ',
    'NStgid:\t4242',
    'NSpid:\t4242',
    'NSpgid:\t4242',
    'NSsid:\t4242',
    ...(s.kib ? KIB_KEYS.map((k) => `${k}:\t${pad8(s.kib![k])} kB`) : []),
    'Threads:\t1',
    'SigQ:\t0/63413',
    'SigPnd:\t0000000000000000',
    'CapEff:\t000001ffffffffff',
    'Seccomp:\t0',
    'Cpus_allowed_list:\t0-1',
    'voluntary_ctxt_switches:\t3',
    'nonvoluntary_ctxt_switches:\t0',
    '',
  ].join('\n');

test('status: generated text round-trips name, PPid and every kB field (× 1024), null when absent', () => {
  check(
    fc.property(status, (s) => {
      const r = parseStatus(render(s), FILE);
      assert.equal(r.name, s.name);
      assert.equal(r.ppid, s.ppid);
      for (const [key, field] of Object.entries(PARSED))
        assert.equal(r[field], s.kib ? s.kib[key as keyof typeof PARSED] * 1024 : null, key);
    }),
  );
});

test('status: kibFieldBytes (the sampler hot path) reads the same bytes as parseStatus, -1 when absent', () => {
  check(
    fc.property(status, (s) => {
      const text = render(s);
      for (const key of Object.keys(PARSED))
        assert.equal(kibFieldBytes(text, key), s.kib ? s.kib[key as keyof typeof PARSED] * 1024 : -1, key);
    }),
  );
});

test('status: malformed or truncated text gives a record or ProbeParseError naming the file and line', () => {
  checkMalformed(
    fc.property(malformed(status.map(render)), (text) => {
      const out = parseOrDocumentedError((t) => parseStatus(t, FILE), text);
      if ('value' in out) {
        for (const field of Object.values(PARSED)) {
          const v = out.value[field];
          assert.ok(v === null || (Number.isSafeInteger(v) && v >= 0 && v % 1024 === 0), `${field} = ${v}`);
        }
        assert.ok(Number.isSafeInteger(out.value.ppid) && out.value.ppid >= 0);
      }
    }),
  );
});

test('status: kibFieldBytes never throws and returns -1 or a non-negative multiple of 1024 on malformed text', () => {
  check(
    fc.property(malformed(status.map(render)), fc.constantFrom(...Object.keys(PARSED)), (text, key) => {
      const v = kibFieldBytes(text, key);
      assert.ok(v === -1 || (v >= 0 && v % 1024 === 0), `${key} = ${v}`);
    }),
  );
});
