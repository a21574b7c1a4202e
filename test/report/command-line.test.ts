// Titles show a multi-line command (python3 -c '…') on one line, its breaks and indentation kept visible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandLine } from '../../src/report/run-rows.js';

test('commandLine: each line break becomes ⏎, indentation kept, one-line commands unchanged', () => {
  assert.equal(
    commandLine("python3 -c 'import time\nfor i in range(3):\n    time.sleep(0.1)'"),
    "python3 -c 'import time ⏎ for i in range(3): ⏎     time.sleep(0.1)'",
  );
  assert.equal(commandLine('sort big.txt -o out'), 'sort big.txt -o out');
  assert.equal(commandLine('a  \r\nb'), 'a ⏎ b');
  assert.ok(!commandLine('x\ny\nz').includes('\n'));
});
