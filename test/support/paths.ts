import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const OUT_DIR = join(PROJECT_ROOT, 'out');
