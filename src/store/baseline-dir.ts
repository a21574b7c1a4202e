// Where saved baselines live unless --baseline-dir says otherwise (a leaf module: the CLI declares its flags without loading the store).
import { join } from 'node:path';

export const DEFAULT_BASELINE_DIR = join('.membench', 'baselines');
