import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSourceList } from '../../src/cli/init/sources.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import packageJson from '../../package.json' with { type: 'json' };

/**
 * The README's first screen promises commands: the four a platform team types, and the two that set up
 * this repository (`.ci/run` runs the second). They must stay true as scripts, targets and sources change.
 */
const FIRST_SCREEN_LINES = 30;
const firstScreen = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8').split('\n').slice(0, FIRST_SCREEN_LINES);
/** The commands of the screen's shell blocks, without their comments. */
const commands = firstScreen.filter((line) => /^(npm|npx|make) /.test(line)).map((line) => line.replace(/\s+#.*$/, ''));

describe('the README’s first screen', () => {
  it('shows the commands a platform team types, in order, with sources init accepts', () => {
    const init = commands.find((c) => c.startsWith('npx infermon init'));
    // init adds TypeScript to package.json; installing it before the first commit puts it in the lock file CI's `npm ci` installs from.
    expect(commands.slice(0, 4)).toEqual(['npm i -D infermon', init, 'npm install', 'npx infermon generate']);
    const sources = init?.match(/--sources (\S+)/)?.[1];
    expect(sources, 'the init line names its sources').toBeDefined();
    const parsed = parseSourceList(sources!);
    expect('sources' in parsed ? [...parsed.sources].sort() : parsed).toEqual(sources!.split(',').sort());
  });

  it('shows the two set-up commands of this repository, and they name a script and a target that exist', () => {
    expect(commands).toContain('npm ci && npm run generate');
    expect(commands).toContain('make test');
    expect(packageJson.scripts).toHaveProperty('generate');
    expect(readFileSync(join(PROJECT_ROOT, 'Makefile'), 'utf8')).toMatch(/^test:/m);
    // CI runs the same test command the README gives.
    expect(readFileSync(join(PROJECT_ROOT, '.ci', 'run'), 'utf8').trim().split('\n').at(-1)).toBe('make test');
  });
});
