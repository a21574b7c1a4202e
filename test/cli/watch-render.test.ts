// The summary `membench watch` prints at the end, from a recording written by membench 0.1.0: 80 columns, verdict
// in words, the largest process's own peak (VmHWM) named with its pid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderWatch } from '../../src/cli/watch-command.js';
import { readWatchRecording } from '../../src/document/read.js';
import { formatBytes } from '../../src/report/units.js';
import { ROOT, unwrap } from '../helpers/fixtures.js';

test('renderWatch: wrapped at 80 columns; the largest VmHWM is named; the verdict in words, not the enum', () => {
  const r = readWatchRecording(readFileSync(join(ROOT, 'test', 'fixtures', 'documents', 'watch-v1.json'), 'utf8'), 'watch-v1.json');
  const text = renderWatch({ ...r, command: "python3 -c 'import time\nfor i in range(3):\n    time.sleep(1)'" });
  for (const line of text.split('\n')) assert.ok([...line].length <= 80, `over 80 columns: ${line}`);
  const flat = unwrap(text);
  assert.ok(!/-c 'import time\n/.test(text), 'a multi-line command is shown on one line');
  const top = r.processes.filter((p) => p.vmHwmBytes !== null).sort((a, b) => b.vmHwmBytes! - a.vmHwmBytes!)[0];
  if (top)
    assert.match(
      flat,
      new RegExp(`largest process peak: \\S+ \\(pid ${top.pid}\\) ${formatBytes(top.vmHwmBytes).replace('.', '\\.')} \\(VmHWM`),
    );
  else assert.doesNotMatch(flat, /largest process peak/);
  assert.match(flat, /^memory: (leak|no leak|leak: cannot tell|grows until exit) — /m);
});
